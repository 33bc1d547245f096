/*
 * mime: file name to MIME type, from /etc/mime.types text when the caller
 * loads it, else built-in defaults. Pure: the caller reads the file.
 */
#ifndef CAPSULED_MIME_H
#define CAPSULED_MIME_H

#include <stddef.h>

struct mime;

/* A table holding the built-in types; caller frees with mime_free. */
struct mime *mime_new(void);
void mime_free(struct mime *m);
/* Adds the types of a mime.types text (later entries do not override). */
void mime_load_text(struct mime *m, const char *text, size_t len);
/*
 * Type for a path by its extension, case-insensitively. .gmi and .gemini
 * are always "text/gemini"; .md "text/markdown"; source code (.rs, .go,
 * .py, .c, .h, .toml, .yaml, .js, .ts, .scss, .sh, ...) "text/plain".
 * Text types carry no charset here (gemini_meta adds it). Unknown:
 * "application/octet-stream".
 * The string lives as long as m.
 */
const char *mime_lookup(const struct mime *m, const char *path);

#endif
