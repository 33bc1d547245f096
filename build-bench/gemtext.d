build-bench/gemtext.o: src/gemtext.c include/buf.h include/util.h \
 include/gemtext.h include/buf.h include/util.h
include/buf.h:
include/util.h:
include/gemtext.h:
include/buf.h:
include/util.h:
