/*
 * pages: the generated gemtext pages (index, tag list, tag pages, post
 * page frame). Pure: no I/O, never logs. The index and tag pages are
 * Gemini subscription feeds, so only their post lines may start a link
 * label with a date.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "pages.h"
#include "util.h"

#define PAGES_WORDS_PER_MIN 200 /* words read per minute of reading time */
#define PAGES_MAX_STARS	    5	/* stars of a full rating */

/* One (tag, post) pair, for counting the posts of each tag. */
struct tag_ref {
	const char *tag;
	size_t post;
};

/* One distinct tag and the number of posts carrying it. */
struct tag_count {
	const char *tag;
	size_t n;
};

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/*
 * Percent-encodes s as path text. Slugs keep their '/' (nested posts);
 * a tag is one segment, so its '/' is encoded.
 */
static void
put_pct(struct buf *out, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (is_unreserved(*p) || (keep_slash && *p == '/'))
			buf_addc(out, *p);
		else {
			buf_addc(out, '%');
			buf_addc(out, hex[*p >> 4]);
			buf_addc(out, hex[*p & 0xf]);
		}
	}
}

char *
pages_tag_path(const char *tag)
{
	struct buf b = BUF_INIT;

	put_pct(&b, tag, 0);
	return buf_detach(&b, NULL);
}

static int
is_blank_char(unsigned char c)
{
	return c == ' ' || c == '\t' || c < 0x20 || c == 0x7f;
}

/*
 * Appends s as the text of one gemtext line: controls (newlines
 * included) become spaces, runs of them collapse, the ends are trimmed.
 */
static void
put_text(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int space = 0, any = 0;

	if (s == NULL)
		return;
	for (; *p != '\0'; p++) {
		if (is_blank_char(*p)) {
			space = 1;
			continue;
		}
		if (space && any)
			buf_addc(out, ' ');
		space = 0;
		any = 1;
		buf_addc(out, *p);
	}
}

/* Nonzero when put_text(s) would write nothing. */
static int
text_empty(const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return 1;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (!is_blank_char(*p))
			return 0;
	return 1;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Nonzero when s starts with Lagrange's date shape YYYY-[01]D-[0-3]D. */
static int
starts_with_date(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!is_digit(s[i]))
			return 0;
	return s[4] == '-' && (s[5] == '0' || s[5] == '1') && is_digit(s[6]) &&
	    s[7] == '-' && s[8] >= '0' && s[8] <= '3' && is_digit(s[9]);
}

/* The title shown for p: its title, or its slug when it has none. */
static const char *
post_title(const struct page_post *p)
{
	if (!text_empty(p->title))
		return p->title;
	return p->slug != NULL ? p->slug : "";
}

static void put_feed_line(struct buf *out, const struct page_post *p);
static void section(struct buf *out, size_t start);
static void put_text(struct buf *out, const char *s);

static void
put_post_url(struct buf *out, const struct page_post *p)
{
	buf_adds(out, "=> ");
	if (p->url != NULL)
		put_pct(out, p->url, 1);
	else {
		buf_adds(out, "/posts/");
		put_pct(out, p->slug != NULL ? p->slug : "", 1);
		buf_addc(out, '/');
	}
	buf_addc(out, ' ');
}

static void
put_links(struct buf *out, const char *heading, const struct page_link *l,
    size_t n, size_t start)
{
	size_t i;

	if (n == 0)
		return;
	section(out, start);
	buf_printf(out, "## %s\n", heading);
	for (i = 0; i < n; i++) {
		buf_adds(out, "=> ");
		put_pct(out, l[i].url, 1);
		buf_addc(out, ' ');
		if (starts_with_date(l[i].title))
			buf_adds(out, "· ");
		put_text(out, l[i].title);
		buf_addc(out, '\n');
	}
}

/*
 * "=> /posts/SLUG.gmi YYYY-MM-DD Title". Lagrange wants a non-digit
 * right after the date and trims the title, so a title that starts
 * with a digit gets " - " in between.
 */
static void
put_feed_line(struct buf *out, const struct page_post *p)
{
	const char *title = post_title(p);
	struct buf t = BUF_INIT;

	put_text(&t, title);
	put_post_url(out, p);
	if (p->ymd != NULL && starts_with_date(p->ymd) && p->ymd[10] == '\0') {
		buf_adds(out, p->ymd);
		buf_adds(out, is_digit(t.data[0]) || t.len == 0 ? " - " : " ");
	} else if (starts_with_date(t.data))
		buf_adds(out, "· "); /* no date: must not pose as one */
	buf_add(out, t.data, t.len);
	buf_addc(out, '\n');
	buf_free(&t);
}

/* Ends the current section with exactly one blank line. */
static void
section(struct buf *out, size_t start)
{
	if (out->len == start)
		return;
	if (out->data[out->len - 1] != '\n')
		buf_addc(out, '\n');
	if (out->len - start < 2 || out->data[out->len - 2] != '\n')
		buf_addc(out, '\n');
}

static int
line_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Length of the line at s, without its '\n'. */
static size_t
line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl != NULL ? (size_t)(nl - s) : strlen(s);
}

/* Skips blank lines; returns the start of the first non-blank one. */
static const char *
skip_blank_lines(const char *s)
{
	size_t n;

	while (*s != '\0') {
		n = line_len(s);
		if (!line_blank(s, n))
			break;
		s += n;
		if (*s == '\n')
			s++;
	}
	return s;
}

/*
 * Appends a gemtext block without its leading and trailing blank lines,
 * ending in one newline. Nothing at all when it is all blank.
 */
static void
put_block(struct buf *out, const char *s)
{
	const char *end;

	if (s == NULL)
		return;
	s = skip_blank_lines(s);
	end = s + strlen(s);
	while (end > s) {
		/* Drop the last line while it is blank. */
		const char *le = end, *ls;

		if (le[-1] == '\n')
			le--;
		ls = le;
		while (ls > s && ls[-1] != '\n')
			ls--;
		if (!line_blank(ls, (size_t)(le - ls)))
			break;
		end = ls;
	}
	while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end == s)
		return;
	buf_add(out, s, (size_t)(end - s));
	buf_addc(out, '\n');
}

/*
 * Text lines must not be read as another line type: a leading U+200B
 * guards them, as the converter does for body text.
 */
static void
put_guarded_text(struct buf *out, const char *s)
{
	struct buf t = BUF_INIT;

	put_text(&t, s);
	if (strncmp(t.data, "=>", 2) == 0 || t.data[0] == '#' ||
	    strncmp(t.data, "* ", 2) == 0 || t.data[0] == '>' ||
	    strncmp(t.data, "```", 3) == 0)
		buf_adds(out, "\xe2\x80\x8b");
	buf_add(out, t.data, t.len);
	buf_free(&t);
}

void
pages_stars(double rating, struct buf *out)
{
	int i, halves;

	/* Written so that NaN gives no star rather than undefined behaviour. */
	if (!(rating > 0))
		halves = 0;
	else if (rating >= PAGES_MAX_STARS)
		halves = 2 * PAGES_MAX_STARS;
	else
		halves = (int)(rating * 2 + 0.5); /* to the nearest half */
	for (i = 0; i < PAGES_MAX_STARS; i++)
		buf_adds(out,
		    2 * i + 2 <= halves	    ? "★" :
			2 * i + 1 == halves ? "½" :
					      "☆");
}

int
pages_dated(const struct page_post *p)
{
	return p->ymd != NULL && p->ymd[0] != '\0';
}

/*
 * The post lines of a feed page: the dated posts (at most limit lines in
 * all, 0: no limit), then the undated ones under their own heading, never
 * as feed entries. Only the posts carrying tag, when tag is set.
 */
static void
put_post_lines(struct buf *out, size_t start, const struct page_post *posts,
    size_t n, size_t limit, const char *tag, int in_order)
{
	size_t i, shown = 0;
	int undated = 0, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n && (limit == 0 || shown < limit); i++) {
			if (in_order && pass == 1)
				break;
			if ((!in_order &&
				pages_dated(&posts[i]) != (pass == 0)) ||
			    (tag != NULL && !pages_has_tag(&posts[i], tag)))
				continue;
			if (pass == 1 && !undated) {
				section(out, start);
				buf_adds(out, "## Undated\n");
				undated = 1;
			}
			put_feed_line(out, &posts[i]);
			shown++;
		}
}

/* Links to the taxonomies' list pages ("=> /tags/ Tags"). */
static void
put_taxonomies(struct buf *out, const struct page_site *s)
{
	size_t i;

	if (s == NULL || s->ntaxonomies == 0) {
		buf_printf(out, "=> /%s/ Tags\n",
		    s && s->taxonomy ? s->taxonomy : "tags");
		return;
	}
	for (i = 0; i < s->ntaxonomies; i++) {
		buf_adds(out, "=> ");
		put_pct(out, s->taxonomies[i].url, 1);
		buf_addc(out, ' ');
		put_text(out, s->taxonomies[i].title);
		buf_addc(out, '\n');
	}
}

/* A taxonomy's name as a heading: "series" is "Series". */
static void
put_tax_name(struct buf *out, const char *tax)
{
	if (tax[0] >= 'a' && tax[0] <= 'z') {
		buf_addc(out, (char)(tax[0] - 32));
		tax++;
	}
	put_text(out, tax);
}

static int
is_tags(const struct page_site *s)
{
	return s == NULL || s->taxonomy == NULL ||
	    strcmp(s->taxonomy, "tags") == 0;
}

static void
put_heading(struct buf *out, const struct page_site *s)
{
	buf_adds(out, "# ");
	put_text(out, s != NULL && !text_empty(s->title) ? s->title : "Index");
	buf_addc(out, '\n');
}

/* The way to /search, on the pages that list posts. */
static void
put_search(struct buf *out, const struct page_site *s)
{
	if (s != NULL && s->search)
		buf_adds(out, "=> /search Search\n");
}

void
pages_index(const struct page_site *s, const struct page_post *posts, size_t n,
    struct buf *out)
{
	size_t i, limit, start = out->len;
	int featured = 0;

	put_heading(out, s);
	if (s != NULL && !text_empty(s->subtitle)) {
		buf_adds(out, "## ");
		put_text(out, s->subtitle);
		buf_addc(out, '\n');
	}
	section(out, start);
	if (s != NULL)
		put_block(out, s->intro_gmi);
	section(out, start);

	for (i = 0; i < n; i++) {
		if (!posts[i].featured)
			continue;
		if (!featured)
			buf_adds(out, "## Featured\n");
		featured = 1;
		/* Not a feed line: the label must not start with a date. */
		put_post_url(out, &posts[i]);
		buf_adds(out, "★ ");
		put_text(out, post_title(&posts[i]));
		buf_addc(out, '\n');
	}
	if (featured) {
		section(out, start);
		buf_adds(out, "## Posts\n");
	}
	limit = s != NULL && s->index_limit && s->index_limit < n ?
	    s->index_limit :
	    n;
	put_post_lines(out, start, posts, n, limit, NULL, 0);
	if (s != NULL)
		put_links(out, "Sections", s->sections, s->nsections, start);
	section(out, start);
	/* A long archive stays off the index: its size would grow forever. */
	if (s != NULL && s->archive_count > 0)
		buf_printf(out, "=> /archive/ All %zu pages\n",
		    s->archive_count);
	else if (n > 0)
		buf_printf(out, "=> /archive/ All %zu pages\n", n);
	put_taxonomies(out, s);
	buf_adds(out, "=> /atom.xml Atom feed\n");
	put_search(out, s);
}

void
pages_section(const struct page_site *s, const char *title,
    const char *intro_gmi, const struct page_post *posts, size_t n,
    const struct page_link *subs, size_t nsubs, const char *feed_url,
    struct buf *out)
{
	size_t start = out->len;

	buf_adds(out, "# ");
	put_text(out, text_empty(title) ? "Section" : title);
	buf_addc(out, '\n');
	section(out, start);
	put_block(out, intro_gmi);
	section(out, start);
	put_post_lines(out, start, posts, n, 0, NULL, s != NULL && s->in_order);
	put_links(out, "Sections", subs, nsubs, start);
	section(out, start);
	if (feed_url) {
		buf_adds(out, "=> ");
		put_pct(out, feed_url, 1);
		buf_adds(out, " Atom feed\n");
	}
	buf_adds(out, "=> / Index\n");
	put_search(out, s);
}

void
pages_archive(const struct page_site *s, const struct page_post *posts,
    size_t n, struct buf *out)
{
	size_t start = out->len;

	buf_adds(out, "# All posts");
	if (s != NULL && !text_empty(s->title)) {
		buf_adds(out, " · ");
		put_text(out, s->title);
	}
	buf_addc(out, '\n');
	section(out, start);
	put_post_lines(out, start, posts, n, 0, NULL, 0);
	section(out, start);
	buf_adds(out, "=> / Index\n");
	put_taxonomies(out, s);
	put_search(out, s);
}

static int
ref_cmp(const void *a, const void *b)
{
	const struct tag_ref *x = a, *y = b;
	int c = strcmp(x->tag, y->tag);

	if (c != 0)
		return c;
	return (x->post > y->post) - (x->post < y->post);
}

static int
count_cmp(const void *a, const void *b)
{
	const struct tag_count *x = a, *y = b;
	int c = strcasecmp(x->tag, y->tag);

	return c != 0 ? c : strcmp(x->tag, y->tag);
}

/*
 * Returns the distinct tags of posts sorted by name, case-insensitively,
 * each with the number of posts carrying it; *ntags is set. Sorting
 * (tag, post) pairs keeps this O(N log N) in the number of tag uses.
 * The array is malloc'd; caller frees.
 */
static struct tag_count *
count_tags(const struct page_post *posts, size_t n, size_t *ntags)
{
	struct tag_ref *refs = NULL;
	struct tag_count *counts = NULL;
	size_t i, j, nref = 0, cap = 0, nc = 0, ccap = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < posts[i].ntags; j++) {
			if (posts[i].tags[j] == NULL ||
			    posts[i].tags[j][0] == '\0')
				continue;
			refs = xgrow(refs, &cap, nref + 1, sizeof(*refs));
			refs[nref].tag = posts[i].tags[j];
			refs[nref].post = i;
			nref++;
		}
	}
	if (nref > 0)
		qsort(refs, nref, sizeof(*refs), ref_cmp);
	for (i = 0; i < nref; i++) {
		if (nc > 0 && strcmp(counts[nc - 1].tag, refs[i].tag) == 0) {
			/* The same tag twice on one post counts once. */
			if (refs[i - 1].post != refs[i].post)
				counts[nc - 1].n++;
			continue;
		}
		counts = xgrow(counts, &ccap, nc + 1, sizeof(*counts));
		counts[nc].tag = refs[i].tag;
		counts[nc].n = 1;
		nc++;
	}
	free(refs);
	if (nc > 0)
		qsort(counts, nc, sizeof(*counts), count_cmp);
	*ntags = nc;
	return counts;
}

static void
put_tag_url(struct buf *out, const struct page_site *s, const char *tag,
    int feed)
{
	char *slug;

	buf_printf(out, "=> %s/%s/", s && s->tax_prefix ? s->tax_prefix : "",
	    s && s->taxonomy ? s->taxonomy : "tags");
	if (s && s->term_slug) {
		slug = s->term_slug(tag, strlen(tag));
		put_pct(out, slug, 0);
		free(slug);
	} else
		put_pct(out, tag, 0);
	buf_adds(out, feed ? "/atom.xml " : "/ ");
}

void
pages_tags(const struct page_site *s, const struct page_post *posts, size_t n,
    struct buf *out)
{
	struct tag_count *tags;
	size_t i, ntags, start = out->len;

	buf_adds(out, "# ");
	put_tax_name(out, is_tags(s) ? "tags" : s->taxonomy);
	buf_addc(out, '\n');
	section(out, start);
	tags = count_tags(posts, n, &ntags);
	for (i = 0; i < ntags; i++) {
		put_tag_url(out, s, tags[i].tag, 0);
		/* Only post lines may start their label with a date. */
		if (starts_with_date(tags[i].tag))
			buf_adds(out, "Tag ");
		put_text(out, tags[i].tag);
		buf_printf(out, " (%zu)\n", tags[i].n);
	}
	free(tags);
	section(out, start);
	buf_adds(out, "=> / Index\n");
	put_search(out, s);
}

int
pages_has_tag(const struct page_post *p, const char *tag)
{
	size_t i;

	for (i = 0; i < p->ntags; i++)
		if (p->tags[i] != NULL && strcmp(p->tags[i], tag) == 0)
			return 1;
	return 0;
}

void
pages_tag(const struct page_site *s, const char *tag,
    const struct page_post *posts, size_t n, struct buf *out)
{
	size_t start = out->len;

	if (is_tags(s)) {
		buf_adds(out, "# Posts tagged “");
		put_text(out, tag);
		buf_adds(out, "”\n");
	} else {
		buf_adds(out, "# ");
		put_tax_name(out, s->taxonomy);
		buf_adds(out, ": ");
		put_text(out, tag);
		buf_addc(out, '\n');
	}
	section(out, start);
	put_post_lines(out, start, posts, n, 0, tag, 0);
	section(out, start);
	put_tag_url(out, s, tag, 1);
	buf_adds(out, "Atom feed for ");
	put_text(out, tag);
	buf_addc(out, '\n');
	buf_printf(out, "=> %s/%s/ All ",
	    s && s->tax_prefix ? s->tax_prefix : "",
	    s && s->taxonomy ? s->taxonomy : "tags");
	put_text(out, s && s->taxonomy ? s->taxonomy : "tags");
	buf_addc(out, '\n');
	buf_adds(out, "=> / Index\n");
	put_search(out, s);
}

/*
 * Skips a first line "# TITLE" that repeats the page title; the
 * converter usually drops it already.
 */
static const char *
skip_title_heading(const char *body, const char *title)
{
	struct buf want = BUF_INIT;
	const char *s = skip_blank_lines(body);
	size_t n = line_len(s);

	buf_adds(&want, "# ");
	put_text(&want, title);
	while (
	    n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n == want.len && memcmp(s, want.data, n) == 0) {
		s += line_len(s);
		if (*s == '\n')
			s++;
	}
	buf_free(&want);
	return s;
}

static void
put_nav(struct buf *out, const char *what, const struct page_post *p)
{
	put_post_url(out, p);
	buf_adds(out, what);
	put_text(out, post_title(p));
	buf_addc(out, '\n');
}

void
pages_post(const struct page_site *s, const struct page_post *p,
    const char *body_gmi, const struct page_post *older,
    const struct page_post *newer, struct buf *out)
{
	const char *title = post_title(p);
	size_t i, minutes, start = out->len;
	int meta = 0;

	(void)s;
	buf_adds(out, "# ");
	put_text(out, title);
	buf_addc(out, '\n');

	/* A text line starting with the date: never a link, never a feed line. */
	if (p->ymd != NULL && p->ymd[0] != '\0') {
		put_text(out, p->ymd);
		meta = 1;
	}
	minutes = p->words / PAGES_WORDS_PER_MIN +
	    (p->words % PAGES_WORDS_PER_MIN != 0);
	if (minutes == 0)
		minutes = 1;
	buf_printf(out, "%s%zu min read", meta ? " · " : "", minutes);
	if (p->has_rating) {
		buf_adds(out, " · ");
		pages_stars(p->rating, out);
	}
	/* What a review is of: "Director: …", "Year: …" */
	for (i = 0; i < p->nfacts; i++) {
		if (text_empty(p->facts[i].value))
			continue;
		buf_adds(out, " · ");
		put_text(out, p->facts[i].label);
		buf_adds(out, ": ");
		put_text(out, p->facts[i].value);
	}
	buf_addc(out, '\n');
	if (!text_empty(p->description)) {
		put_guarded_text(out, p->description);
		buf_addc(out, '\n');
	}
	section(out, start);

	if (body_gmi == NULL)
		body_gmi = p->body_gmi;
	if (body_gmi != NULL)
		put_block(out, skip_title_heading(body_gmi, title));
	section(out, start);

	for (i = 0; i < p->ntags; i++) {
		if (p->tags[i] == NULL || p->tags[i][0] == '\0')
			continue;
		put_tag_url(out, s, p->tags[i], 0);
		buf_adds(out, "Tag: ");
		put_text(out, p->tags[i]);
		buf_addc(out, '\n');
	}
	for (i = 0; i < p->nterms; i++) {
		buf_adds(out, "=> ");
		put_pct(out, p->terms[i].url, 1);
		buf_addc(out, ' ');
		put_text(out, p->terms[i].title);
		buf_addc(out, '\n');
	}
	if (older != NULL)
		put_nav(out, s && s->nav_order ? "Next: " : "Older: ", older);
	if (newer != NULL)
		put_nav(out,
		    s && s->nav_order ? "Previous: " : "Newer: ", newer);
	buf_adds(out, "=> / Index\n");
}
