build-bench/shortcode.o: src/shortcode.c include/buf.h include/util.h \
 include/shortcode.h include/buf.h include/util.h
include/buf.h:
include/util.h:
include/shortcode.h:
include/buf.h:
include/util.h:
