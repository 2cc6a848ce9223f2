/*
 * peekl: argument parsing, dispatch to a command, exit status. Nothing else
 * lives here; every command is in its own file.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "log.h"
#include "util.h"

#ifndef PEEKL_VERSION
#define PEEKL_VERSION "dev"
#endif

#define EXIT_USAGE 3	/* UNKNOWN in the Nagios convention */
#define MAX_SITE_ARGS 1024

enum command {
	CMD_NONE,
	CMD_CHECK,
	CMD_STATUS,
	CMD_HISTORY,
	CMD_VALIDATE,
	CMD_SILENCE,
	CMD_INCIDENTS,
	CMD_REPORT,
	CMD_METRICS,
	CMD_PAGE,
	CMD__MAX
};

static const char *const cmd_names[CMD__MAX] = {
	NULL, "check", "status", "history", "validate", "silence",
	"incidents", "report", "metrics", "page",
};

struct cli {
	const char	*config;	/* -c PATH */
	enum log_level	 level;		/* -v / -q */
	enum command	 cmd;
	int		 help;
	int		 version;
	int		 json;
	int		 dry_run;
	const char	*sites[MAX_SITE_ARGS];
	size_t		 nsites;
	const char	*since;		/* history --since */
	struct silence_opts silence;	/* silence */
	const char	*month;		/* report --month */
	int		 csv;		/* report --csv */
	const char	*out;		/* metrics, page --out */
	const char	*title;		/* page, check --title */
	const char	*metrics_out;	/* check --metrics */
	const char	*page_dir;	/* check --page */
	const char	*location;	/* check --location */
};

static const char *const usage_main =
"usage: peekl [-c PATH] [-v|-q] COMMAND [OPTIONS]\n"
"       peekl -c PATH            (same as: peekl -c PATH check)\n"
"\n"
"HTTP and TLS-certificate monitor, run once per timer tick.\n"
"\n"
"commands:\n"
"  check     run every due check, record it in Redis, send alerts\n"
"  status    every site's current state, read from Redis\n"
"  history   the recorded points of one site\n"
"  validate  check the config file and exit\n"
"  silence   hold back the alerts of sites for a while, list or end that\n"
"  incidents the state changes of the sites, newest first\n"
"  report    uptime, downtime, MTTR and response times per site\n"
"  metrics   the current state as Prometheus metrics\n"
"  page      write the static status page, status.json and badges\n"
"\n"
"global options:\n"
"  -c, --config-file, --config PATH   config file (default $PEEKL_CONFIG,\n"
"                                     else /etc/peekl/config.yaml)\n"
"  -v, --verbose    debug logging      -q, --quiet    errors only\n"
"  -h, --help       this help          --version      print the version\n"
"\n"
"exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (peekl could not do\n"
"its job: bad arguments, invalid config, Redis unreachable).\n"
"`peekl COMMAND --help` describes a command.\n";

static const char *const usage_cmd[CMD__MAX] = {
	NULL,
	"usage: peekl [-c PATH] check [--site SITE]... [--json] [--dry-run]\n"
	"                      [--metrics FILE] [--page DIR [--title TEXT]]\n"
	"                              [--location LOCATION]\n"
	"\n"
	"Runs every check that is due, records the results in Redis, sends\n"
	"alerts on state changes, prints one line per check.\n"
	"  --site SITE  check this site now, due or not (name, URL or host);\n"
	"               may be repeated\n"
	"  --json       print one JSON object instead of lines\n"
	"  --dry-run    check and print, but write nothing to Redis and send\n"
	"               nothing (prints the alerts it would send)\n"
	"  --metrics FILE  after the run, write the Prometheus metrics to FILE\n"
	"  --page DIR      after the run, write the status page into DIR\n"
	"  --title TEXT    the status page's title (default \"Status\")\n"
	"  --location L    check as location L (overrides PEEKL_LOCATION and\n"
	"                  the config's location)\n"
	"exit status: 0 all OK, 1 a certificate warning, 2 a failed check or\n"
	"critical certificate, 3 peekl could not do its job.\n",
	"usage: peekl [-c PATH] status [--json]\n"
	"\n"
	"Prints every configured site's current state from Redis; runs no check.\n"
	"  --json       print one JSON object\n"
	"exit status: the worst current state (0 up/ok, 1 certificate warning,\n"
	"2 down or critical), 3 when Redis is unreachable.\n",
	"usage: peekl [-c PATH] history --site SITE [--since DURATION] [--json]\n"
	"\n"
	"Prints the recorded points of one site, its uptime and a sparkline of\n"
	"response times.\n"
	"  --site SITE     the site (name, URL or host)\n"
	"  --since DUR     how far back (default 24h; e.g. 90m, 7d)\n"
	"  --json          print one JSON object\n"
	"exit status: 0, or 3 on error.\n",
	"usage: peekl [-c PATH] validate\n"
	"\n"
	"Loads and validates the config, prints \"config OK: N sites\" or every\n"
	"error with its file:line:column. Touches no network.\n"
	"exit status: 0 valid, 3 invalid.\n",
	"usage: peekl [-c PATH] silence SITE... --for DURATION [--reason TEXT]\n"
	"       peekl [-c PATH] silence --list [--json]\n"
	"       peekl [-c PATH] silence --clear SITE...\n"
	"\n"
	"Holds back every alert of the sites (name, URL or host; `all` for\n"
	"every site) for a while; checks still run and are recorded. When the\n"
	"silence ends, a site whose state changed meanwhile alerts once.\n"
	"  --for DUR      how long (e.g. 30m, 2h, 1d; at most 366d)\n"
	"  --reason TEXT  shown by status and in the log\n"
	"  --list         the silences in force; --json for one JSON object\n"
	"  --clear        end the silences of the sites now (all: every one)\n"
	"exit status: 0, or 3 when a SITE matches nothing (nothing is written)\n"
	"or Redis is unreachable.\n",
	"usage: peekl [-c PATH] incidents [--site SITE]... [--since DURATION] "
	"[--json]\n"
	"\n"
	"Lists the state changes (http and cert), newest first, with how long\n"
	"each state lasted.\n"
	"  --site SITE     only this site (name, URL or host); may be repeated\n"
	"  --since DUR     how far back (default 30d; e.g. 24h, 7d)\n"
	"  --json          print one JSON object\n"
	"exit status: 0, or 3 on error.\n",
	"usage: peekl [-c PATH] report [--since DURATION | --month YYYY-MM]\n"
	"                      [--site SITE]... [--json | --csv]\n"
	"\n"
	"Per site over the window: uptime, time down, incidents, mean time to\n"
	"recovery, longest outage, time degraded, p50/p95 response times and\n"
	"checks, then all sites together.\n"
	"  --since DUR     the window up to now (default 30d)\n"
	"  --month Y-M     a calendar month in UTC, e.g. 2026-11\n"
	"  --site SITE     only this site; may be repeated\n"
	"  --json          print one JSON object\n"
	"  --csv           print CSV (RFC 4180): a header, one row per site\n"
	"exit status: 0, or 3 on error.\n",
	"usage: peekl [-c PATH] metrics [--out FILE]\n"
	"\n"
	"Prints every site's current state from Redis in the Prometheus text\n"
	"format; runs no check.\n"
	"  --out FILE   write FILE atomically instead (for node_exporter's\n"
	"               textfile collector: FILE ending in .prom)\n"
	"exit status: 0, or 3 on error.\n",
	"usage: peekl [-c PATH] page --out DIR [--title TEXT]\n"
	"\n"
	"Writes the static status page from Redis, each file atomically:\n"
	"DIR/index.html, DIR/status.json and DIR/badge/NAME.svg per site.\n"
	"Runs no check.\n"
	"  --out DIR      the directory (created if missing)\n"
	"  --title TEXT   the page's title (default \"Status\")\n"
	"exit status: 0, or 3 on error.\n",
};

/* Returns the value of an option that takes one, advancing *i; NULL (after
 * a message) when it is missing. Accepts "--opt VALUE" and "--opt=VALUE". */
static const char *
opt_value(int argc, char *argv[], int *i, const char *name)
{
	const char	*arg = argv[*i];
	size_t		 len = strlen(name);

	if (strncmp(arg, name, len) == 0 && arg[len] == '=')
		return arg + len + 1;
	if (*i + 1 >= argc) {
		fprintf(stderr, "peekl: %s needs a value\n", name);
		return NULL;
	}
	return argv[++*i];
}

/* Returns 1 when arg is the option name, alone or as "name=value". */
static int
is_opt(const char *arg, const char *name)
{
	size_t	len = strlen(name);

	return strncmp(arg, name, len) == 0 &&
	    (arg[len] == '\0' || arg[len] == '=');
}

static enum command
command_parse(const char *s)
{
	for (int c = CMD_NONE + 1; c < CMD__MAX; c++)
		if (strcmp(s, cmd_names[c]) == 0)
			return (enum command)c;
	return CMD_NONE;
}

/* Returns 0, or -1 after printing what is wrong with the arguments. Global
 * options are accepted anywhere, before or after the command. */
static int
cli_parse(int argc, char *argv[], struct cli *cli)
{
	const char	*v;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			cli->help = 1;
		else if (strcmp(a, "--version") == 0)
			cli->version = 1;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			cli->level = LOG_DEBUG;
		else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			cli->level = LOG_ERROR;
		else if (strcmp(a, "-c") == 0 || is_opt(a, "--config-file") ||
		    is_opt(a, "--config")) {
			const char *name = a[1] == 'c' ? "-c" :
			    is_opt(a, "--config") ? "--config" : "--config-file";
			if ((v = opt_value(argc, argv, &i, name)) == NULL)
				return -1;
			cli->config = v;
		} else if (cli->cmd != CMD_NONE && cli->cmd != CMD_VALIDATE &&
		    strcmp(a, "--json") == 0)
			cli->json = 1;
		else if (cli->cmd == CMD_CHECK && strcmp(a, "--dry-run") == 0)
			cli->dry_run = 1;
		else if (cli->cmd == CMD_REPORT && strcmp(a, "--csv") == 0)
			cli->csv = 1;
		else if (cli->cmd == CMD_REPORT && is_opt(a, "--month")) {
			if ((v = opt_value(argc, argv, &i, "--month")) == NULL)
				return -1;
			cli->month = v;
		} else if ((cli->cmd == CMD_CHECK || cli->cmd == CMD_HISTORY ||
		    cli->cmd == CMD_INCIDENTS || cli->cmd == CMD_REPORT) &&
		    is_opt(a, "--site")) {
			if ((v = opt_value(argc, argv, &i, "--site")) == NULL)
				return -1;
			if (cli->cmd == CMD_HISTORY && cli->nsites == 1) {
				fprintf(stderr, "peekl: history takes one --site\n");
				return -1;
			}
			if (cli->nsites == MAX_SITE_ARGS) {
				fprintf(stderr, "peekl: too many --site options\n");
				return -1;
			}
			cli->sites[cli->nsites++] = v;
		} else if (cli->cmd == CMD_SILENCE && (is_opt(a, "--for") ||
		    is_opt(a, "--reason"))) {
			const char *name = is_opt(a, "--for") ? "--for" :
			    "--reason";

			if ((v = opt_value(argc, argv, &i, name)) == NULL)
				return -1;
			if (name[2] == 'f')
				cli->silence.duration = v;
			else
				cli->silence.reason = v;
		} else if (cli->cmd == CMD_SILENCE && strcmp(a, "--list") == 0)
			cli->silence.list = 1;
		else if (cli->cmd == CMD_SILENCE && strcmp(a, "--clear") == 0)
			cli->silence.clear = 1;
		else if (cli->cmd == CMD_SILENCE && a[0] != '-') {
			if (cli->nsites == MAX_SITE_ARGS) {
				fprintf(stderr, "peekl: too many sites\n");
				return -1;
			}
			cli->sites[cli->nsites++] = a;
		} else if ((cli->cmd == CMD_CHECK || cli->cmd == CMD_NONE) &&
		    is_opt(a, "--location")) {
			/* Before the command too: `peekl -c PATH --location L`
			 * is a check. */
			if ((v = opt_value(argc, argv, &i, "--location")) == NULL)
				return -1;
			cli->location = v;
		} else if ((cli->cmd == CMD_HISTORY ||
		    cli->cmd == CMD_INCIDENTS || cli->cmd == CMD_REPORT) &&
		    is_opt(a, "--since")) {
			if ((v = opt_value(argc, argv, &i, "--since")) == NULL)
				return -1;
			cli->since = v;
		} else if ((cli->cmd == CMD_METRICS || cli->cmd == CMD_PAGE) &&
		    is_opt(a, "--out")) {
			if ((v = opt_value(argc, argv, &i, "--out")) == NULL)
				return -1;
			cli->out = v;
		} else if ((cli->cmd == CMD_PAGE || cli->cmd == CMD_CHECK) &&
		    is_opt(a, "--title")) {
			if ((v = opt_value(argc, argv, &i, "--title")) == NULL)
				return -1;
			cli->title = v;
		} else if (cli->cmd == CMD_CHECK && is_opt(a, "--metrics")) {
			if ((v = opt_value(argc, argv, &i, "--metrics")) == NULL)
				return -1;
			cli->metrics_out = v;
		} else if (cli->cmd == CMD_CHECK && is_opt(a, "--page")) {
			if ((v = opt_value(argc, argv, &i, "--page")) == NULL)
				return -1;
			cli->page_dir = v;
		} else if (a[0] == '-') {
			if (cli->cmd == CMD_NONE)
				fprintf(stderr, "peekl: unknown option %s\n", a);
			else
				fprintf(stderr, "peekl: %s: unknown option %s\n",
				    cmd_names[cli->cmd], a);
			return -1;
		} else if (cli->cmd == CMD_NONE) {
			if ((cli->cmd = command_parse(a)) == CMD_NONE) {
				fprintf(stderr, "peekl: unknown command \"%s\" "
				    "(check, status, history, validate, "
				    "silence, incidents, report, metrics, "
				    "page)\n", a);
				return -1;
			}
		} else {
			fprintf(stderr, "peekl: %s: unexpected argument \"%s\"\n",
			    cmd_names[cli->cmd], a);
			return -1;
		}
	}
	return 0;
}

/* Returns 0, or -1 after printing what is missing or out of place among
 * the options of metrics, page and check's --metrics, --page, --title. */
static int
cli_check_files(const struct cli *cli)
{
	if ((cli->cmd == CMD_METRICS || cli->cmd == CMD_PAGE) && cli->json) {
		fprintf(stderr, "peekl: %s: unknown option --json\n",
		    cmd_names[cli->cmd]);
		return -1;
	}
	if (cli->cmd == CMD_PAGE && (cli->out == NULL || *cli->out == '\0')) {
		fprintf(stderr, "peekl: page needs --out DIR\n");
		return -1;
	}
	if (cli->cmd == CMD_METRICS && cli->out != NULL && *cli->out == '\0') {
		fprintf(stderr, "peekl: metrics: --out needs a file name\n");
		return -1;
	}
	if (cli->cmd == CMD_CHECK && cli->title != NULL &&
	    cli->page_dir == NULL) {
		fprintf(stderr, "peekl: check: --title goes with --page DIR\n");
		return -1;
	}
	if (cli->cmd == CMD_CHECK && ((cli->metrics_out != NULL &&
	    *cli->metrics_out == '\0') || (cli->page_dir != NULL &&
	    *cli->page_dir == '\0'))) {
		fprintf(stderr, "peekl: check: --metrics and --page need a "
		    "path\n");
		return -1;
	}
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	peekl_stop = 1;
}

/* No SA_RESTART: a signal must interrupt poll() so the run ends promptly. */
static void
signals_setup(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * Fills the window and sites of incidents and report from cli: --since
 * (default 30 days) up to now, or --month's calendar month (its end
 * clipped to now). Returns 0, or -1 after printing what is wrong.
 */
static int
view_parse(const struct cli *cli, struct view_opts *vo)
{
	int64_t	now = now_ms(), span = 30LL * 86400 * 1000;

	memset(vo, 0, sizeof(*vo));
	vo->at_ms = now;
	vo->sites = (const char **)cli->sites;
	vo->nsites = cli->nsites;
	vo->json = cli->json;
	vo->csv = cli->csv;
	if (cli->json && cli->csv) {
		fprintf(stderr, "peekl: report: --json and --csv exclude each "
		    "other\n");
		return -1;
	}
	if (cli->month != NULL && cli->since != NULL) {
		fprintf(stderr, "peekl: report: --since and --month exclude each "
		    "other\n");
		return -1;
	}
	if (cli->month != NULL) {
		if (parse_month(cli->month, &vo->since_ms, &vo->until_ms) == -1) {
			fprintf(stderr, "peekl: --month: \"%s\" is not a month "
			    "(YYYY-MM, e.g. 2026-11)\n", cli->month);
			return -1;
		}
		vo->month = 1;
		if (vo->until_ms > now)
			vo->until_ms = now;
		return 0;
	}
	if (cli->since != NULL && parse_duration_ms(cli->since, &span) == -1) {
		fprintf(stderr, "peekl: --since: \"%s\" is not a duration "
		    "(e.g. 90m, 24h, 7d)\n", cli->since);
		return -1;
	}
	if (span == 0) {
		fprintf(stderr, "peekl: --since must be longer than 0\n");
		return -1;
	}
	vo->since_ms = now - span;
	vo->until_ms = now;
	return 0;
}

/* The location: the config's, then PEEKL_LOCATION, then --location, the
 * last one given winning. Returns -1 after a message when one is invalid. */
static int
apply_location(const struct cli *cli, struct config *cfg)
{
	const char	*env = getenv("PEEKL_LOCATION");

	if (env != NULL && env[0] != '\0' &&
	    config_set_location(cfg, env, "PEEKL_LOCATION") == -1)
		return -1;
	if (cli->location != NULL &&
	    config_set_location(cfg, cli->location, "--location") == -1)
		return -1;
	return 0;
}

/* Returns the exit status of the command cli names, with cfg loaded. */
static int
dispatch(const struct cli *cli, const struct config *cfg)
{
	struct check_opts	 co;
	struct view_opts	 vo;
	int64_t			 since = 24LL * 3600 * 1000;
	long			 idx;

	switch (cli->cmd) {
	case CMD_VALIDATE:
		printf("config OK: %zu site%s\n", cfg->nsites,
		    cfg->nsites == 1 ? "" : "s");
		return 0;
	case CMD_STATUS:
		return cmd_status(cfg, cli->json);
	case CMD_SILENCE: {
		struct silence_opts so = cli->silence;

		so.sites = (const char **)cli->sites;
		so.nsites = cli->nsites;
		so.json = cli->json;
		return cmd_silence(cfg, &so);
	}
	case CMD_HISTORY:
		if (cli->nsites != 1) {
			fprintf(stderr, "peekl: history needs --site SITE\n");
			return EXIT_USAGE;
		}
		if (cli->since != NULL &&
		    parse_duration_ms(cli->since, &since) == -1) {
			fprintf(stderr, "peekl: --since: \"%s\" is not a duration "
			    "(e.g. 90m, 24h, 7d)\n", cli->since);
			return EXIT_USAGE;
		}
		if (since == 0) {
			fprintf(stderr, "peekl: --since must be longer than 0\n");
			return EXIT_USAGE;
		}
		if ((idx = site_find(cfg, cli->sites[0])) < 0)
			return EXIT_USAGE;
		return cmd_history(cfg, cfg->sites[idx].name, since, cli->json);
	case CMD_INCIDENTS:
	case CMD_REPORT:
		if (view_parse(cli, &vo) == -1)
			return EXIT_USAGE;
		return cli->cmd == CMD_REPORT ? cmd_report(cfg, &vo) :
		    cmd_incidents(cfg, &vo);
	case CMD_METRICS:
		return cmd_metrics(cfg, cli->out);
	case CMD_PAGE:
		return cmd_page(cfg, cli->out, cli->title);
	default:
		co.sites = (const char **)cli->sites;
		co.nsites = cli->nsites;
		co.json = cli->json;
		co.dry_run = cli->dry_run;
		co.metrics_out = cli->metrics_out;
		co.page_dir = cli->page_dir;
		co.page_title = cli->title;
		return cmd_check(cfg, &co);
	}
}

int
main(int argc, char *argv[])
{
	struct cli	 cli;
	struct config	*cfg = NULL;
	int		 rc;

	memset(&cli, 0, sizeof(cli));
	cli.level = LOG_INFO;
	if (cli_parse(argc, argv, &cli) == -1) {
		fputs("Try `peekl --help'.\n", stderr);
		return EXIT_USAGE;
	}
	if (cli.help) {
		fputs(cli.cmd == CMD_NONE ? usage_main : usage_cmd[cli.cmd],
		    stdout);
		return 0;
	}
	if (cli.version) {
		printf("peekl %s\n", PEEKL_VERSION);
		return 0;
	}
	if (cli.cmd == CMD_NONE) {
		/* The original's CLI: `peekl -c PATH` runs the checks. */
		if (cli.config == NULL) {
			fputs(usage_main, stderr);
			return EXIT_USAGE;
		}
		cli.cmd = CMD_CHECK;
	}
	if (cli_check_files(&cli) == -1) {
		fputs("Try `peekl --help'.\n", stderr);
		return EXIT_USAGE;
	}
	if (cli.location != NULL && cli.cmd != CMD_CHECK) {
		fprintf(stderr, "peekl: %s: unknown option --location\n",
		    cmd_names[cli.cmd]);
		return EXIT_USAGE;
	}
	if (cli.config == NULL)
		cli.config = getenv("PEEKL_CONFIG");
	if (cli.config == NULL || cli.config[0] == '\0')
		cli.config = "/etc/peekl/config.yaml";

	log_setup(cli.level);
	signals_setup();
	if (config_load(cli.config, &cfg) == -1)
		return EXIT_USAGE;
	if (apply_location(&cli, cfg) == -1) {
		config_free(cfg);
		return EXIT_USAGE;
	}
	/* Before any thread exists: curl_global_init is not thread-safe. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libcurl");
		config_free(cfg);
		return EXIT_USAGE;
	}
	rc = dispatch(&cli, cfg);
	config_free(cfg);
	curl_global_cleanup();
	return rc;
}
