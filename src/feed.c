/*
 * feed: the Atom feeds (RFC 4287) of a capsule, with gemini:// links.
 * Pure: no I/O, never logs. Whatever the posts hold, the output is
 * well-formed XML 1.0: text is escaped, invalid UTF-8 becomes U+FFFD and
 * characters XML forbids are dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "feed.h"
#include "pages.h"
#include "utf8.h"
#include "util.h"

#define FEED_SUMMARY_CHARS \
	300 /* code points of a summary taken from the body */
#define FEED_MIN_TIME INT64_C(-62167219200) /* 0000-01-01T00:00:00Z */
#define FEED_MAX_TIME INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

void
feed_xml_escape(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, len;
	uint32_t cp;

	if (s == NULL)
		return;
	n = strlen(s);
	while (n > 0) {
		len = utf8_decode(p, n, &cp);
		if (len == 0) {
			buf_adds(out, "\xef\xbf\xbd"); /* U+FFFD */
			p++;
			n--;
			continue;
		}
		switch (cp) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '"':
			buf_adds(out, "&quot;");
			break;
		case '\'':
			buf_adds(out, "&apos;");
			break;
		default:
			/* XML 1.0 Char: no C0 control but tab and LF, no FFFE/FFFF. */
			if ((cp < 0x20 && cp != '\t' && cp != '\n') ||
			    cp == 0xfffe || cp == 0xffff)
				break;
			buf_add(out, p, len);
			break;
		}
		p += len;
		n -= len;
	}
}

/* Appends t as RFC 3339 UTC ("2025-01-19T00:00:00Z"), clamped to years 0..9999. */
static void
put_time(struct buf *out, int64_t t)
{
	int64_t days, secs, era, doe, yoe, doy, mp, y, m, d;

	if (t < FEED_MIN_TIME)
		t = FEED_MIN_TIME;
	if (t > FEED_MAX_TIME)
		t = FEED_MAX_TIME;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* Howard Hinnant's civil_from_days. */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m,
	    (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
}

static void
put_pct(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	/* The same encoding as the links of the generated pages. */
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~' || *p == '/')
			buf_addc(out, *p);
		else {
			buf_addc(out, '%');
			buf_addc(out, hex[*p >> 4]);
			buf_addc(out, hex[*p & 0xf]);
		}
	}
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Appends s[0..n) with whitespace runs collapsed to single spaces. */
static void
put_words(struct buf *out, const char *s, size_t n)
{
	size_t i;
	/* Joining lines: a space unless the buffer already ends in one. */
	int space = out->len > 0 && out->data[out->len - 1] != ' ';

	for (i = 0; i < n; i++) {
		if (is_space((unsigned char)s[i])) {
			space = 1;
			continue;
		}
		if (space && out->len > 0)
			buf_addc(out, ' ');
		space = 0;
		buf_addc(out, s[i]);
	}
}

/*
 * Cuts sum to FEED_SUMMARY_CHARS code points, preferably at a space,
 * and marks the cut with "…".
 */
static void
cut_summary(struct buf *sum)
{
	size_t i, chars = 0, cut = 0, space = 0;

	for (i = 0; i < sum->len; i++) {
		if (((unsigned char)sum->data[i] & 0xc0) == 0x80)
			continue;
		if (chars == FEED_SUMMARY_CHARS) {
			cut = i;
			break;
		}
		if (sum->data[i] == ' ')
			space = i;
		chars++;
	}
	if (cut == 0)
		return;
	/* A word boundary when one is in the last third. */
	if (space > cut * 2 / 3)
		cut = space;
	while (cut > 0 && sum->data[cut - 1] == ' ')
		cut--;
	buf_truncate(sum, cut);
	buf_adds(sum, "…");
}

/*
 * The text of a gemtext body, for a summary: text, list and quote
 * lines; links, headings and preformatted blocks are skipped.
 */
static void
body_summary(const char *gmi, struct buf *sum)
{
	const char *s = gmi, *nl;
	size_t n;
	int pre = 0;

	while (*s != '\0' && sum->len < FEED_SUMMARY_CHARS * 4 + 8) {
		nl = strchr(s, '\n');
		n = nl != NULL ? (size_t)(nl - s) : strlen(s);
		if (strncmp(s, "```", 3) == 0)
			pre = !pre;
		else if (!pre && strncmp(s, "=>", 2) != 0 && s[0] != '#') {
			const char *t = s;
			size_t tn = n;

			if (tn >= 2 && strncmp(t, "* ", 2) == 0) {
				t += 2;
				tn -= 2;
			} else if (tn >= 1 && t[0] == '>') {
				t++;
				tn--;
			}
			while (tn > 0 && is_space((unsigned char)t[0])) {
				t++;
				tn--;
			}
			/* The converter's U+200B line guard. */
			if (tn >= 3 && memcmp(t, "\xe2\x80\x8b", 3) == 0) {
				t += 3;
				tn -= 3;
			}
			put_words(sum, t, tn);
		}
		s += n;
		if (*s == '\n')
			s++;
	}
	cut_summary(sum);
}

/* An entry's updated time: never before its publication. */
static int64_t
post_updated(const struct page_post *p)
{
	return p->updated > p->date ? p->updated : p->date;
}

static void
put_element(struct buf *out, const char *indent, const char *name,
    const char *text)
{
	buf_printf(out, "%s<%s>", indent, name);
	feed_xml_escape(text, out);
	buf_printf(out, "</%s>\n", name);
}

static void
put_entry(struct buf *out, const char *base, const struct page_post *p)
{
	struct buf url = BUF_INIT, text = BUF_INIT;
	size_t i;

	buf_adds(&url, base);
	if (p->url != NULL)
		put_pct(&url, p->url);
	else {
		buf_adds(&url, "/posts/");
		put_pct(&url, p->slug != NULL ? p->slug : "");
		buf_addc(&url, '/');
	}

	buf_adds(out, "  <entry>\n");
	put_element(out, "    ", "id", url.data);
	if (p->title != NULL)
		put_words(&text, p->title, strlen(p->title));
	if (text.len == 0 && p->slug != NULL)
		buf_adds(&text, p->slug);
	put_element(out, "    ", "title", text.data);
	buf_adds(out, "    <updated>");
	put_time(out, post_updated(p));
	buf_adds(out, "</updated>\n    <published>");
	put_time(out, p->date);
	buf_adds(out, "</published>\n    <link href=\"");
	feed_xml_escape(url.data, out);
	buf_adds(out, "\" rel=\"alternate\"/>\n");

	buf_reset(&text);
	if (p->description != NULL)
		put_words(&text, p->description, strlen(p->description));
	if (text.len == 0 && p->body_gmi != NULL)
		body_summary(p->body_gmi, &text);
	if (text.len > 0)
		put_element(out, "    ", "summary", text.data);
	for (i = 0; i < p->ntags; i++) {
		if (p->tags[i] == NULL || p->tags[i][0] == '\0')
			continue;
		buf_adds(out, "    <category term=\"");
		feed_xml_escape(p->tags[i], out);
		buf_adds(out, "\"/>\n");
	}
	buf_adds(out, "  </entry>\n");
	buf_free(&text);
	buf_free(&url);
}

void
feed_atom(const struct page_site *s, const struct page_post *posts, size_t n,
    const char *self_path, const char *tag, struct buf *out)
{
	const char *base = s->base_url != NULL ? s->base_url : "";
	const char *title = s->title != NULL ? s->title : "";
	struct buf b = BUF_INIT, home = BUF_INIT;
	int64_t newest = 0;
	size_t i;
	int any = 0;
	char *tp;

	if (tag != NULL && tag[0] == '\0')
		tag = NULL;
	for (i = 0; i < n; i++) {
		if ((tag != NULL && !pages_has_tag(&posts[i], tag)) ||
		    !pages_dated(&posts[i]))
			continue;
		if (!any || post_updated(&posts[i]) > newest)
			newest = post_updated(&posts[i]);
		any = 1;
	}

	/* A tag feed is the Atom twin of its tag page, and has its id. */
	/* The page a feed is the twin of: its own path without atom.xml. */
	buf_adds(&home, base);
	if (self_path != NULL && strlen(self_path) >= 9 &&
	    strcmp(self_path + strlen(self_path) - 9, "/atom.xml") == 0)
		buf_add(&home, self_path, strlen(self_path) - 8);
	else if (tag != NULL) {
		tp = pages_tag_path(tag);
		buf_printf(&home, "/tags/%s/", tp);
		free(tp);
	} else
		buf_addc(&home, '/');

	buf_adds(out,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
	put_words(&b, title, strlen(title));
	if (tag != NULL) {
		buf_adds(&b, " — ");
		put_words(&b, tag, strlen(tag));
	}
	put_element(out, "  ", "title", b.data);
	if (tag == NULL && s->subtitle != NULL && s->subtitle[0] != '\0')
		put_element(out, "  ", "subtitle", s->subtitle);
	put_element(out, "  ", "id", home.data);
	buf_adds(out, "  <updated>");
	put_time(out, newest);
	buf_adds(out, "</updated>\n  <link href=\"");
	feed_xml_escape(home.data, out);
	buf_adds(out, "\" rel=\"alternate\"/>\n  <link href=\"");
	feed_xml_escape(base, out);
	feed_xml_escape(self_path != NULL ? self_path : "/atom.xml", out);
	buf_adds(out, "\" rel=\"self\"/>\n");
	/*
	 * RFC 4287 wants an author on the feed when its entries have none:
	 * the capsule's title stands in for an unnamed author.
	 */
	buf_adds(out, "  <author>\n");
	buf_reset(&b);
	if (s->author != NULL)
		put_words(&b, s->author, strlen(s->author));
	if (b.len == 0)
		put_words(&b, title, strlen(title));
	put_element(out, "    ", "name", b.data);
	buf_adds(out, "  </author>\n");
	for (i = 0; i < n; i++) /* an undated page is no entry */
		if ((tag == NULL || pages_has_tag(&posts[i], tag)) &&
		    pages_dated(&posts[i]))
			put_entry(out, base, &posts[i]);
	buf_adds(out, "</feed>\n");
	buf_free(&home);
	buf_free(&b);
}
