/*
 * faultshim: an LD_PRELOAD library that makes one libcurl call fail, so the
 * tests can prove that a run which could not do its job exits 3 instead of
 * reporting what it never measured. It changes nothing unless PEEKL_FAULT
 * names a fault:
 *
 *   PEEKL_FAULT=curl_multi_init   curl_multi_init() returns NULL
 *   PEEKL_FAULT=setopt:N          curl_easy_setopt(h, N, ...) fails with
 *                                 CURLE_UNKNOWN_OPTION (N is the CURLOPT_
 *                                 number, e.g. 10002 for CURLOPT_URL)
 *
 * Every other call goes to the real libcurl. Built without sanitizers: it
 * is loaded before the program and its runtime.
 */
#define CURL_DISABLE_TYPECHECK 1

#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Returns 1 when PEEKL_FAULT names the fault `name`. */
static int
fault(const char *name)
{
	const char	*f = getenv("PEEKL_FAULT");

	return f != NULL && strcmp(f, name) == 0;
}

/* Returns the option number PEEKL_FAULT=setopt:N names, or -1. */
static long
fault_option(void)
{
	const char	*f = getenv("PEEKL_FAULT");
	char		*end;
	long		 n;

	if (f == NULL || strncmp(f, "setopt:", 7) != 0)
		return -1;
	n = strtol(f + 7, &end, 10);
	return *end == '\0' ? n : -1;
}

CURLM *
curl_multi_init(void)
{
	CURLM	*(*real)(void);

	if (fault("curl_multi_init"))
		return NULL;
	*(void **)&real = dlsym(RTLD_NEXT, "curl_multi_init");
	return real != NULL ? real() : NULL;
}

/*
 * Every option's argument is a long, a pointer or a curl_off_t: on the
 * LP64 systems peekl's tests run on, all three travel in one 64-bit
 * argument slot, so one va_arg passes any of them on unchanged.
 */
CURLcode
curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode	(*real)(CURL *, CURLoption, ...);
	va_list		 ap;
	void		*arg;

	va_start(ap, opt);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((long)opt == fault_option())
		return CURLE_UNKNOWN_OPTION;
	*(void **)&real = dlsym(RTLD_NEXT, "curl_easy_setopt");
	return real != NULL ? real(h, opt, arg) : CURLE_FAILED_INIT;
}
