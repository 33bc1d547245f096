/*
 * vhost: one virtual host as a worker holds it at run time: its names and
 * its files (the model of its site, if any). The master builds them from
 * the config (master.c) and frees them; the router (gemini.c) and the
 * TLS name callback (conn.c) read them. Its TLS context is the server's
 * (worker.h), never the router's business.
 */
#ifndef CAPSULED_VHOST_H
#define CAPSULED_VHOST_H

#include <stddef.h>

struct site;

struct vhost {
	char **names; /* lowercased; names[0] is canonical */
	size_t nnames;
	char *root;	   /* path of the capsule folder */
	char *rootreal;	   /* its realpath, for absolute symlinks */
	int rootfd;	   /* O_PATH descriptor of root */
	char *lang;	   /* NULL: none */
	struct site *site; /* generated pages and posts, or NULL */
};

/*
 * The index of the vhost among v[0..n) that answers to name (any of its
 * names, ASCII case ignored), or n when none does.
 */
size_t vhost_find(const struct vhost *v, size_t n, const char *name);

#endif
