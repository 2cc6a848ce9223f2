#include "check.h"

const char *
check_kind_name(enum check_kind kind)
{
	switch (kind) {
	case KIND_HTTP:
		return "http";
	case KIND_CERT:
		return "cert";
	default:
		return "unknown";
	}
}

const char *
severity_name(enum severity sev)
{
	switch (sev) {
	case SEV_OK:
		return "ok";
	case SEV_WARNING:
		return "warning";
	case SEV_CRITICAL:
		return "critical";
	default:
		return "unknown";
	}
}

int
check_done(const struct check *c)
{
	return c->kind == KIND_HTTP ? c->http.done : c->cert.done;
}
