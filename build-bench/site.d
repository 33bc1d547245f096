build-bench/site.o: src/site.c include/buf.h include/util.h \
 include/feed.h include/buf.h include/pages.h include/frontmatter.h \
 include/gemtext.h include/log.h include/pages.h include/shortcode.h \
 include/site.h include/gemini.h include/gemtext.h include/url.h
include/buf.h:
include/util.h:
include/feed.h:
include/buf.h:
include/pages.h:
include/frontmatter.h:
include/gemtext.h:
include/log.h:
include/pages.h:
include/shortcode.h:
include/site.h:
include/gemini.h:
include/gemtext.h:
include/url.h:
