/*
 * log: error and access logs, OpenBSD style. log_warn adds strerror(errno);
 * fatal/fatalx exit and are for start-up and impossible states only.
 */
#ifndef CAPSULED_LOG_H
#define CAPSULED_LOG_H

#include <stddef.h>

#include "util.h"

/* Opens path for appending (NULL: stderr). Returns 0 or -1 with errno. */
int log_open(const char *path);
void log_set_verbosity(int quiet, int debug);
/* Prefix for error lines, e.g. "worker 2"; NULL for none. */
void log_set_name(const char *name);
void log_flush(void);

void log_warn(const char *fmt, ...) ATTR_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) ATTR_PRINTF(1, 2);
void log_info(const char *fmt, ...) ATTR_PRINTF(1, 2);
void log_debug(const char *fmt, ...) ATTR_PRINTF(1, 2);
void fatal(const char *fmt, ...) ATTR_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *fmt, ...) ATTR_PRINTF(1, 2) __attribute__((noreturn));
/* Logs every queued OpenSSL error, after msg, and clears the queue. */
void log_ssl(const char *msg);

/* One access line. Request text is escaped (controls as \xNN). */
void log_access(const char *client, const char *host, const char *req,
    size_t reqlen, int status, unsigned long long bytes, double ms);
/* Appends s[0..len) to out-of-band escaped form into dst (size n). */
void log_escape(char *dst, size_t n, const char *s, size_t len);

#endif
