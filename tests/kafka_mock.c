/* kafka_mock.c -- a Kafka cluster for integration tests: librdkafka's mock
 * brokers on 127.0.0.1 (ephemeral ports), controlled line by line on stdin.
 *
 *   kafka_mock [-b BROKERS] [-p PARTITIONS] TOPIC...
 *
 * The first line on stdout is the bootstrap list. Commands (one per line;
 * each is answered "ok" or "error: ..." on stdout):
 *   down N                 broker N (1..BROKERS) refuses connections
 *   up N                   and accepts them again (same port)
 *   err produce CNT CODE   the next CNT Produce requests fail with CODE
 *                          (a number or a name such as NOT_LEADER_FOR_PARTITION)
 *   rtt N MS               broker N answers MS milliseconds late
 *   quit                   (or end of input) stop
 * All mock calls are made from the main loop, never from a signal handler.
 * The mock keeps only about the last 5 MB per partition.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MOCK_API_PRODUCE 0      /* Kafka ApiKey of ProduceRequest */
#define MOCK_LINE_MAX    512

static void quiet_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk; (void)level; (void)fac; (void)buf;
}

static int usage(void)
{
	fprintf(stderr, "usage: kafka_mock [-b BROKERS] [-p PARTITIONS] TOPIC...\n");
	return 2;
}

/* CODE as a number or as the name rd_kafka_err2name() gives, with or
 * without the RD_KAFKA_RESP_ERR_ prefix; 0 and -1 on failure. */
static int parse_code(const char *s, rd_kafka_resp_err_t *out)
{
	const struct rd_kafka_err_desc *d;
	size_t i, n;
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0') {
		*out = (rd_kafka_resp_err_t)v;
		return 0;
	}
	if (strncmp(s, "RD_KAFKA_RESP_ERR_", 18) == 0)
		s += 18;
	rd_kafka_get_err_descs(&d, &n);
	for (i = 0; i < n; i++)
		if (d[i].name != NULL && strcmp(d[i].name, s) == 0) {
			*out = d[i].code;
			return 0;
		}
	return -1;
}

static int broker_id(const char *s, int nbrokers)
{
	int id = atoi(s);

	return id >= 1 && id <= nbrokers ? id : -1;
}

/* Run one command; 1 to quit. */
static int command(rd_kafka_mock_cluster_t *mc, int nbrokers, char *line)
{
	char *argv[5];
	int argc = 0, id;
	rd_kafka_resp_err_t code, err = RD_KAFKA_RESP_ERR_NO_ERROR;
	char *tok, *save = NULL;

	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL && argc < 5;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = tok;
	if (argc == 0)
		return 0;
	if (strcmp(argv[0], "quit") == 0)
		return 1;
	if (argc == 2 && (strcmp(argv[0], "down") == 0 || strcmp(argv[0], "up") == 0)) {
		if ((id = broker_id(argv[1], nbrokers)) < 0) {
			printf("error: no broker %s (1..%d)\n", argv[1], nbrokers);
			return 0;
		}
		err = argv[0][0] == 'd' ? rd_kafka_mock_broker_set_down(mc, id)
		                        : rd_kafka_mock_broker_set_up(mc, id);
	} else if (argc == 4 && strcmp(argv[0], "err") == 0 &&
	           strcmp(argv[1], "produce") == 0) {
		long cnt = strtol(argv[2], NULL, 10);
		rd_kafka_resp_err_t *codes;
		long i;

		if (cnt < 1 || cnt > 100000 || parse_code(argv[3], &code) != 0) {
			printf("error: expected: err produce COUNT CODE\n");
			return 0;
		}
		if ((codes = malloc((size_t)cnt * sizeof(*codes))) == NULL) {
			printf("error: out of memory\n");
			return 0;
		}
		for (i = 0; i < cnt; i++)
			codes[i] = code;
		rd_kafka_mock_push_request_errors_array(mc, MOCK_API_PRODUCE, (size_t)cnt, codes);
		free(codes);
	} else if (argc == 3 && strcmp(argv[0], "rtt") == 0) {
		if ((id = broker_id(argv[1], nbrokers)) < 0) {
			printf("error: no broker %s (1..%d)\n", argv[1], nbrokers);
			return 0;
		}
		err = rd_kafka_mock_broker_set_rtt(mc, id, atoi(argv[2]));
	} else {
		printf("error: unknown command (down N | up N | err produce CNT CODE | "
		       "rtt N MS | quit)\n");
		return 0;
	}
	if (err)
		printf("error: %s\n", rd_kafka_err2str(err));
	else
		printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	int nbrokers = 1, partitions = 1, opt, i, rc = 0;
	char line[MOCK_LINE_MAX], err[256];
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;

	while ((opt = getopt(argc, argv, "b:p:")) != -1) {
		switch (opt) {
		case 'b':
			nbrokers = atoi(optarg);
			break;
		case 'p':
			partitions = atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	if (optind == argc || nbrokers < 1 || partitions < 1)
		return usage();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	conf = rd_kafka_conf_new();
	rd_kafka_conf_set_log_cb(conf, quiet_log);
	if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kafka_mock: %s\n", err);
		return 1;
	}
	if ((mc = rd_kafka_mock_cluster_new(rk, nbrokers)) == NULL) {
		fprintf(stderr, "kafka_mock: cannot create the mock cluster\n");
		rd_kafka_destroy(rk);
		return 1;
	}
	for (i = optind; i < argc; i++) {
		rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, argv[i], partitions, 1);
		if (e) {
			fprintf(stderr, "kafka_mock: topic %s: %s\n", argv[i], rd_kafka_err2str(e));
			rc = 1;
			goto out;
		}
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL)
		if (command(mc, nbrokers, line))
			break;
out:
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return rc;
}
