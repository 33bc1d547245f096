/*
 * status: the Gemini protocol's numbers (status codes, the header's
 * limit) on their own, so modules that only answer with a status need
 * not include the server's state in gemini.h.
 */
#ifndef CAPSULED_STATUS_H
#define CAPSULED_STATUS_H

#define GEMINI_MAX_META 1024 /* bytes of META in a response header */

enum gemini_status {
	GEMINI_INPUT = 10,
	GEMINI_SENSITIVE_INPUT = 11,
	GEMINI_SUCCESS = 20,
	GEMINI_REDIRECT_TEMP = 30,
	GEMINI_REDIRECT_PERM = 31,
	GEMINI_TEMP_FAILURE = 40,
	GEMINI_SERVER_UNAVAILABLE = 41,
	GEMINI_CGI_ERROR = 42,
	GEMINI_PROXY_ERROR = 43,
	GEMINI_SLOW_DOWN = 44,
	GEMINI_PERM_FAILURE = 50,
	GEMINI_NOT_FOUND = 51,
	GEMINI_GONE = 52,
	GEMINI_PROXY_REFUSED = 53,
	GEMINI_BAD_REQUEST = 59,
	GEMINI_CERT_REQUIRED = 60,
	GEMINI_CERT_NOT_AUTHORISED = 61,
	GEMINI_CERT_NOT_VALID = 62,
};

#endif
