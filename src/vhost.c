/*
 * vhost: which virtual host answers to a name: the one rule the TLS
 * name callback (SNI) and the router (the request's host) share. Pure.
 */
#include <strings.h>

#include "vhost.h"

size_t
vhost_find(const struct vhost *v, size_t n, const char *name)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < v[i].nnames; j++)
			if (strcasecmp(v[i].names[j], name) == 0)
				return i;
	return n;
}
