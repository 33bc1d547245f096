/*
 * test_vhost: which virtual host answers to a name (vhost.c), the rule
 * the TLS name callback and the router share: any of a host's names,
 * ASCII case ignored, the first host that has it; none: the count.
 */
#include "t.h"
#include "vhost.h"

int
main(void)
{
	char *a[] = { "example.org", "www.example.org" };
	char *b[] = { "other.net" };
	char *c[] = { "example.org" }; /* a name twice: the first host wins */
	struct vhost v[3] = {
		{ .names = a, .nnames = 2 },
		{ .names = b, .nnames = 1 },
		{ .names = c, .nnames = 1 },
	};

	T_INT(vhost_find(v, 3, "example.org"), 0);
	T_INT(vhost_find(v, 3, "WWW.Example.ORG"), 0);
	T_INT(vhost_find(v, 3, "other.net"), 1);
	T_INT(vhost_find(v, 3, "other.net."), 3); /* as written, no more */
	T_INT(vhost_find(v, 3, "example"), 3);
	T_INT(vhost_find(v, 3, ""), 3);
	T_INT(vhost_find(v, 1, "other.net"), 1); /* only the n given */
	T_INT(vhost_find(v, 0, "example.org"), 0);
	return t_done();
}
