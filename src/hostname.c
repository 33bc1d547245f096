/*
 * hostname: host name checks and IDNA A-labels (RFC 3492's Punycode,
 * written from section 6.3 of the RFC).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "hostname.h"
#include "utf8.h"
#include "util.h"

#define PC_BASE		36
#define PC_TMIN		1
#define PC_TMAX		26
#define PC_SKEW		38
#define PC_DAMP		700
#define PC_INITIAL_BIAS 72
#define PC_INITIAL_N	0x80
#define LABEL_MAX	63

int
hostname_is_ip(const char *host)
{
	unsigned char tmp[16];

	return inet_pton(AF_INET, host, tmp) == 1 ||
	    inet_pton(AF_INET6, host, tmp) == 1;
}

static char
pc_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

static uint32_t
pc_adapt(uint32_t delta, uint32_t numpoints, int first)
{
	uint32_t k = 0;

	delta = first ? delta / PC_DAMP : delta / 2;
	delta += delta / numpoints;
	while (delta > ((PC_BASE - PC_TMIN) * PC_TMAX) / 2) {
		delta /= PC_BASE - PC_TMIN;
		k += PC_BASE;
	}
	return k + (PC_BASE - PC_TMIN + 1) * delta / (delta + PC_SKEW);
}

int
punycode_encode(const uint32_t *cp, size_t n, struct buf *out)
{
	uint32_t m, q, k, t, delta = 0, bias = PC_INITIAL_BIAS;
	uint32_t nn = PC_INITIAL_N, h, b = 0;
	size_t j;

	if (n > UINT32_MAX / 2)
		return -1;
	for (j = 0; j < n; j++)
		if (cp[j] < 0x80) {
			buf_addc(out, (int)cp[j]);
			b++;
		}
	if (b > 0)
		buf_addc(out, '-');
	h = b;
	while (h < n) {
		m = UINT32_MAX;
		for (j = 0; j < n; j++)
			if (cp[j] >= nn && cp[j] < m)
				m = cp[j];
		if (m - nn > (UINT32_MAX - delta) / (h + 1))
			return -1;
		delta += (m - nn) * (h + 1);
		nn = m;
		for (j = 0; j < n; j++) {
			if (cp[j] < nn && ++delta == 0)
				return -1;
			if (cp[j] != nn)
				continue;
			for (q = delta, k = PC_BASE;; k += PC_BASE) {
				t = k <= bias		? PC_TMIN :
				    k >= bias + PC_TMAX ? PC_TMAX :
							  k - bias;
				if (q < t)
					break;
				buf_addc(out,
				    pc_digit(t + (q - t) % (PC_BASE - t)));
				q = (q - t) / (PC_BASE - t);
			}
			buf_addc(out, pc_digit(q));
			bias = pc_adapt(delta, h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		nn++;
	}
	return 0;
}

/* Appends one label (len bytes at s) in its served form; NULL or why. */
static const char *
add_label(const char *s, size_t len, struct buf *out)
{
	uint32_t *cp, c;
	size_t i, n = 0, l, start = out->len;
	int ascii = 1;

	if (len == 0)
		return "an empty label (two dots, or a dot at an end)";
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			ascii = 0;
	if (ascii)
		for (i = 0; i < len; i++)
			buf_addc(out,
			    s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' :
							 s[i]);
	else {
		cp = xcalloc(len, sizeof(*cp));
		for (i = 0; i < len; i += l) {
			if ((l = utf8_decode((const unsigned char *)s + i,
				 len - i, &c)) == 0) {
				free(cp);
				return "not valid UTF-8";
			}
			cp[n++] = c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
		}
		buf_adds(out, "xn--");
		if (punycode_encode(cp, n, out) == -1) {
			free(cp);
			return "a label too long";
		}
		free(cp);
	}
	l = out->len - start;
	if (l > LABEL_MAX)
		return "a label longer than 63 bytes";
	for (i = start; i < out->len; i++) {
		char ch = out->data[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			ch == '-'))
			return "only letters, digits, '-' and '.' make a "
			       "host name";
	}
	if (out->data[start] == '-' || out->data[out->len - 1] == '-')
		return "a label starts or ends with '-'";
	return NULL;
}

char *
hostname_normalize(const char *name, const char **why)
{
	struct buf out = BUF_INIT;
	const char *p = name, *dot, *err = NULL;

	if (*name == '\0') {
		*why = "empty";
		return NULL;
	}
	if (hostname_is_ip(name))
		return xstrdup(name);
	for (;;) {
		dot = strchr(p, '.');
		if ((err = add_label(p, dot ? (size_t)(dot - p) : strlen(p),
			 &out)) != NULL)
			break;
		if (dot == NULL)
			break;
		buf_addc(&out, '.');
		p = dot + 1;
	}
	if (err == NULL && out.len > HOSTNAME_MAX)
		err = "longer than 253 bytes";
	if (err) {
		buf_free(&out);
		*why = err;
		return NULL;
	}
	return buf_detach(&out, NULL);
}
