/* omauditfwd.c -- the rsyslog glue: maps action parameters, transactions,
 * suspend/resume and HUP onto the core (pipeline + transport). rsyslog
 * idioms (DEFiRet, CHKiRet, module-template macros) stay in this file.
 *
 * Delivery contract: commitTransaction formats the whole batch and hands it
 * to the transport; only when every message was delivered does it return
 * RS_RET_OK. Otherwise it returns RS_RET_SUSPENDED and rsyslog keeps the
 * batch in its queue and retries it after tryResume succeeds; the joiner
 * rolls the batch back, so the retry yields each event once.
 *
 * Join state belongs to the action (pData->joiner), shared by its workers:
 * records of one event may arrive in different workers' batches.
 */
#include "config.h"
#include "rsyslog.h"
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "syslogd-types.h"
#include "srUtils.h"
#include "template.h"
#include "module-template.h"
#include "errmsg.h"
#include "cfsysline.h"
#include "parserif.h"
#include "statsobj.h"
#include "glbl.h"
#include "rsconf.h"

#include "pipeline.h"
#include "transport.h"

MODULE_TYPE_OUTPUT
MODULE_TYPE_NOKEEP
MODULE_CNFNAME("omauditfwd")

DEF_OMOD_STATIC_DATA
DEFobjCurrIf(statsobj)
DEFobjCurrIf(glbl)

#define OMAF_DEFAULT_TEMPLATE  "RSYSLOG_SyslogProtocol23Format"
#define OMAF_ERRSTR_MAX        512

typedef struct _instanceData {
	uchar *tplName;
	char *target;               /* the first of targets */
	char **targets;             /* target="..." or target=[...] */
	transport_stream_stats_t sstats; /* tcp, tls: impstats (atomic) */
	char *app_name;
	const transport_ops_t *transport;
	transport_conf_t tconf;
	pipeline_conf_t pconf;
	pipeline_stats_t stats;     /* shared by the action's workers */
	int join;
	audit_joiner_conf_t jconf;
	audit_joiner_t *joiner;     /* NULL when join="off" */
	int flush_requested;        /* HUP: complete held events (atomic) */
	int enrich;
	enrich_conf_t econf;
	enrich_t *enricher;         /* NULL when enrich="off" */
	char *statsname;
	statsobj_t *statsobj;       /* impstats: one object per action */
	intctr_t bytes_sent;        /* message bytes delivered (atomic) */
	intctr_t batches_failed;    /* batches not delivered, retried (atomic) */
	char where[320];            /* "host:port" or "kafka:topic", for messages */
	char *kafka_brokers;        /* the strings transport_conf_t points to */
	char *kafka_topic;
	char *kafka_key;
	char *kafka_compression;
	char **kafka_conf;
	char **kafka_topic_conf;
	char *tls_cacert;           /* the strings of the tls.* parameters */
	char *tls_mycert;
	char *tls_myprivkey;
	char *tls_minversion;
	char **tls_permittedpeers;
	int tls_authmode_set;       /* tls.authmode given (for the anon warning) */
} instanceData;

typedef struct wrkrInstanceData {
	instanceData *pData;
	pipeline_t *pipe;
	transport_t *tr;
	msgbatch_t batch;
	int failing;                /* last attempt failed: log recovery once */
	int hup;                    /* HUP: reconnect, set by rsyslog's HUP thread
	                             * and acted on by the worker (atomic) */
} wrkrInstanceData_t;

/* action parameters: names follow omfwd's where it has them */
static struct cnfparamdescr actpdescr[] = {
	{ "template", eCmdHdlrGetWord, 0 },
	{ "target", eCmdHdlrArray, 0 },     /* required for tcp: checked below */
	{ "port", eCmdHdlrGetWord, 0 },
	{ "transport", eCmdHdlrGetWord, 0 },
	{ "framing", eCmdHdlrGetWord, 0 },
	{ "format", eCmdHdlrGetWord, 0 },
	{ "unparsed", eCmdHdlrGetWord, 0 },
	{ "syslog.header", eCmdHdlrGetWord, 0 },
	{ "syslog.appname", eCmdHdlrGetWord, 0 },
	{ "timeout.connect", eCmdHdlrPositiveInt, 0 },
	{ "timeout.io", eCmdHdlrPositiveInt, 0 },
	{ "failback.interval", eCmdHdlrPositiveInt, 0 },
	{ "join", eCmdHdlrBinary, 0 },
	{ "join.timeout", eCmdHdlrPositiveInt, 0 },
	{ "join.maxpending", eCmdHdlrPositiveInt, 0 },
	{ "enrich", eCmdHdlrBinary, 0 },
	{ "enrich.ids", eCmdHdlrGetWord, 0 },
	{ "statsname", eCmdHdlrGetWord, 0 },
	/* transport="kafka": named as omkafka names them */
	{ "broker", eCmdHdlrArray, 0 },
	{ "topic", eCmdHdlrGetWord, 0 },
	{ "key", eCmdHdlrGetWord, 0 },
	{ "compression", eCmdHdlrGetWord, 0 },
	{ "confParam", eCmdHdlrArray, 0 },
	{ "topicConfParam", eCmdHdlrArray, 0 },
	{ "closeTimeout", eCmdHdlrPositiveInt, 0 },
	/* transport="tls": named as omfwd's StreamDriver parameters */
	{ "tls.cacert", eCmdHdlrString, 0 },
	{ "tls.mycert", eCmdHdlrString, 0 },
	{ "tls.myprivkey", eCmdHdlrString, 0 },
	{ "tls.authmode", eCmdHdlrGetWord, 0 },
	{ "tls.permittedpeer", eCmdHdlrArray, 0 },
	{ "tls.minversion", eCmdHdlrGetWord, 0 },
};
static struct cnfparamblk actpblk = {
	CNFPARAMBLK_VERSION,
	sizeof(actpdescr) / sizeof(struct cnfparamdescr),
	actpdescr
};

BEGINcreateInstance
CODESTARTcreateInstance
	pData->transport = &transport_tcp;
	transport_conf_default(&pData->tconf);
	pipeline_conf_default(&pData->pconf);
	pData->join = 1;
	audit_joiner_conf_default(&pData->jconf);
	pData->enrich = 1;
	enrich_conf_default(&pData->econf);
ENDcreateInstance

BEGINcreateWrkrInstance
	char errstr[OMAF_ERRSTR_MAX];
CODESTARTcreateWrkrInstance
	msgbatch_init(&pWrkrData->batch);
	CHKmalloc(pWrkrData->pipe = pipeline_new(&pWrkrData->pData->pconf,
	                                         &pWrkrData->pData->stats));
	if (pWrkrData->pData->transport->create(&pWrkrData->tr, &pWrkrData->pData->tconf,
	                                        errstr, sizeof(errstr)) != TRANSPORT_OK) {
		LogError(0, RS_RET_ERR, "omauditfwd: %s", errstr);
		ABORT_FINALIZE(RS_RET_ERR);
	}
finalize_it:
ENDcreateWrkrInstance

BEGINisCompatibleWithFeature
CODESTARTisCompatibleWithFeature
ENDisCompatibleWithFeature

/* Shutdown: the events still held belong to batches rsyslog considers
 * delivered. Send them (complete as they are) with a connection of our
 * own; what cannot be sent is reported, with its count, never silently. */
static void flush_at_shutdown(instanceData *pData)
{
	audit_joiner_stats_t st;
	pipeline_t *pipe = NULL;
	transport_t *tr = NULL;
	msgbatch_t mb;
	char errstr[OMAF_ERRSTR_MAX] = "out of memory";
	size_t delivered;
	int ok = 0;

	if (pData->joiner == NULL)
		return;
	audit_joiner_stats(pData->joiner, &st);
	if (st.pending == 0)
		return;
	msgbatch_init(&mb);
	if ((pipe = pipeline_new(&pData->pconf, &pData->stats)) != NULL &&
	    pData->transport->create(&tr, &pData->tconf, errstr, sizeof(errstr)) ==
	    TRANSPORT_OK) {
		pipeline_batch_begin(pipe);
		pipeline_flush(pipe);
		ok = pipeline_batch_end(pipe, &mb) == 0 &&
		     pData->transport->send(tr, &mb, &delivered, errstr, sizeof(errstr)) ==
		     TRANSPORT_OK;
		if (ok)
			pipeline_batch_commit(pipe);
		else
			pipeline_batch_rollback(pipe);
	}
	if (!ok)
		LogError(0, RS_RET_SUSPENDED, "omauditfwd[%s]: %s: %llu incomplete audit "
		         "events held at shutdown could not be delivered and are lost: %s",
		         pData->statsname, pData->where, (unsigned long long)st.pending, errstr);
	if (tr != NULL)
		pData->transport->destroy(tr);
	pipeline_free(pipe);
	msgbatch_free(&mb);
}

static void free_strings(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* an array parameter as a NULL-terminated vector of C strings */
static rsRetVal array_strings(struct cnfarray *ar, char ***out, size_t *n)
{
	char **v;
	int i;
	DEFiRet;

	CHKmalloc(v = calloc((size_t)ar->nmemb + 1, sizeof(*v)));
	*out = v;
	for (i = 0; i < ar->nmemb; i++)
		CHKmalloc(v[i] = es_str2cstr(ar->arr[i], NULL));
	*n = (size_t)ar->nmemb;
finalize_it:
	RETiRet;
}

/* an array parameter joined with ',' (librdkafka's broker list) */
static rsRetVal array_joined(struct cnfarray *ar, char **out)
{
	char **v = NULL;
	size_t n = 0, len = 1, i;
	DEFiRet;

	CHKiRet(array_strings(ar, &v, &n));
	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	CHKmalloc(*out = calloc(1, len));
	for (i = 0; i < n; i++) {
		if (i)
			strcat(*out, ",");
		strcat(*out, v[i]);
	}
finalize_it:
	free_strings(v);
	RETiRet;
}

BEGINfreeInstance
CODESTARTfreeInstance
	flush_at_shutdown(pData);
	if (pData->statsobj != NULL)
		statsobj.Destruct(&pData->statsobj);
	audit_joiner_free(pData->joiner);
	enrich_free(pData->enricher);
	free(pData->statsname);
	free(pData->kafka_brokers);
	free(pData->kafka_topic);
	free(pData->kafka_key);
	free(pData->kafka_compression);
	free_strings(pData->kafka_conf);
	free_strings(pData->kafka_topic_conf);
	free(pData->tls_cacert);
	free(pData->tls_mycert);
	free(pData->tls_myprivkey);
	free(pData->tls_minversion);
	free_strings(pData->tls_permittedpeers);
	free(pData->tplName);
	free(pData->target);
	free_strings(pData->targets);
	free(pData->app_name);
ENDfreeInstance

BEGINfreeWrkrInstance
CODESTARTfreeWrkrInstance
	if (pWrkrData->tr != NULL)
		pWrkrData->pData->transport->destroy(pWrkrData->tr);
	pipeline_free(pWrkrData->pipe);
	msgbatch_free(&pWrkrData->batch);
ENDfreeWrkrInstance

BEGINdbgPrintInstInfo
CODESTARTdbgPrintInstInfo
	dbgprintf("omauditfwd: %s transport=%s format=%s join=%d\n", pData->where,
	          pData->transport->name, pData->pconf.format->name, pData->join);
ENDdbgPrintInstInfo

/* Log a delivery failure once per outage (rsyslog retries every
 * resumeInterval: one line each time would flood), and the recovery once.
 * Every message names the action (its statsname) and the target. */
static void note_failure(wrkrInstanceData_t *const pWrkrData, const char *errstr)
{
	instanceData *const pData = pWrkrData->pData;

	if (!pWrkrData->failing)
		LogError(0, RS_RET_SUSPENDED, "omauditfwd[%s]: %s: action suspended, "
		         "rsyslog keeps the data and retries: %s", pData->statsname,
		         pData->where, errstr);
	else
		DBGPRINTF("omauditfwd[%s]: still failing: %s\n", pData->statsname, errstr);
	pWrkrData->failing = 1;
}

static void note_success(wrkrInstanceData_t *const pWrkrData)
{
	instanceData *const pData = pWrkrData->pData;

	if (pWrkrData->failing)
		LogMsg(0, RS_RET_OK, LOG_INFO, "omauditfwd[%s]: %s: delivering again",
		       pData->statsname, pData->where);
	pWrkrData->failing = 0;
}

/* A HUP asked for a new connection: done here, in the worker's thread,
 * never under a send in progress. */
static void reconnect_if_hup(wrkrInstanceData_t *const pWrkrData)
{
	if (__atomic_exchange_n(&pWrkrData->hup, 0, __ATOMIC_ACQ_REL))
		pWrkrData->pData->transport->disconnect(pWrkrData->tr);
}

BEGINtryResume
	char errstr[OMAF_ERRSTR_MAX];
	int cancel_state;
CODESTARTtryResume
	/* see commitTransaction */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	reconnect_if_hup(pWrkrData);
	if (!pWrkrData->pData->transport->is_connected(pWrkrData->tr)) {
		if (pWrkrData->pData->transport->connect(pWrkrData->tr, errstr,
		                                         sizeof(errstr)) != TRANSPORT_OK) {
			note_failure(pWrkrData, errstr);
			ABORT_FINALIZE(RS_RET_SUSPENDED);
		}
	}
finalize_it:
	pthread_setcancelstate(cancel_state, NULL);
ENDtryResume

BEGINbeginTransaction
CODESTARTbeginTransaction
ENDbeginTransaction

BEGINcommitTransaction
	instanceData *const pData = pWrkrData->pData;
	char errstr[OMAF_ERRSTR_MAX] = "out of memory formatting the batch";
	size_t delivered = 0;
	unsigned i;
	int flush, cancel_state;
CODESTARTcommitTransaction
	/* rsyslog cancels a worker that is slow to stop at shutdown. Cancelled
	 * inside a batch, it would leave the action's joiner locked (shutdown's
	 * flush then waits for it forever) and a TLS session half written;
	 * every step below has a deadline (timeout.connect, timeout.io), so the
	 * batch is finished or failed first, and cancelled after. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	reconnect_if_hup(pWrkrData);
	msgbatch_reset(&pWrkrData->batch);
	pipeline_batch_begin(pWrkrData->pipe);
	flush = __atomic_exchange_n(&pData->flush_requested, 0, __ATOMIC_ACQ_REL);
	if (flush)
		pipeline_flush(pWrkrData->pipe);
	for (i = 0; i < nParams; i++) {
		const actWrkrIParams_t *prm = &actParam(pParams, 1, i, 0);
		if (pipeline_process(pWrkrData->pipe, (const char *)prm->param, prm->lenStr,
		                     NULL, 0, &pWrkrData->batch) != 0)
			break;
	}
	if (i < nParams || pipeline_batch_end(pWrkrData->pipe, &pWrkrData->batch) != 0 ||
	    pData->transport->send(pWrkrData->tr, &pWrkrData->batch, &delivered, errstr,
	                           sizeof(errstr)) != TRANSPORT_OK) {
		/* rsyslog keeps the batch and retries it: forget what it did */
		pipeline_batch_rollback(pWrkrData->pipe);
		if (flush)
			__atomic_store_n(&pData->flush_requested, 1, __ATOMIC_RELEASE);
		__atomic_fetch_add(&pData->batches_failed, 1, __ATOMIC_RELAXED);
		note_failure(pWrkrData, errstr);
		ABORT_FINALIZE(RS_RET_SUSPENDED);
	}
	pipeline_batch_commit(pWrkrData->pipe);
	__atomic_fetch_add(&pData->bytes_sent, pWrkrData->batch.data.len, __ATOMIC_RELAXED);
	if (pWrkrData->batch.n > 0)        /* something did go out */
		note_success(pWrkrData);
finalize_it:
	pthread_setcancelstate(cancel_state, NULL);
ENDcommitTransaction

BEGINdoHUP
CODESTARTdoHUP
	/* held events are completed, as they are, in the next batch; names of
	 * users and groups are looked up again */
	__atomic_store_n(&pData->flush_requested, 1, __ATOMIC_RELEASE);
	if (pData->enricher != NULL)
		enrich_clear_cache(pData->enricher);
ENDdoHUP

BEGINdoHUPWrkr
CODESTARTdoHUPWrkr
	/* reopen the connection (new address, new peer, tls: the certificate
	 * files read again) before the next batch. rsyslog calls this from its
	 * HUP thread, concurrently with the worker: the worker does it. */
	__atomic_store_n(&pWrkrData->hup, 1, __ATOMIC_RELEASE);
ENDdoHUPWrkr

/* "param" is an enum parameter; VALUE is not one of ALLOWED */
static rsRetVal bad_choice(const char *param, const char *value, const char *allowed)
{
	parser_errmsg("omauditfwd: parameter '%s': invalid value '%s', expected one of: %s",
	              param, value, allowed);
	return RS_RET_CONF_PARAM_INVLD;
}

static rsRetVal parse_port(const char *value, int *port)
{
	char *end;
	long v = strtol(value, &end, 10);

	if (*value == '\0' || *end != '\0' || v < 1 || v > 65535) {
		parser_errmsg("omauditfwd: parameter 'port': invalid value '%s', expected a "
		              "number from 1 to 65535", value);
		return RS_RET_CONF_PARAM_INVLD;
	}
	*port = (int)v;
	return RS_RET_OK;
}

/* apply one action parameter to PDATA */
static rsRetVal set_param(instanceData *pData, const char *name, struct cnfparamvals *v)
{
	char *s = NULL;
	size_t i;
	DEFiRet;

	if (!strcmp(name, "timeout.connect")) {
		pData->tconf.connect_timeout_ms = (int)v->val.d.n;
		FINALIZE;
	}
	if (!strcmp(name, "timeout.io")) {
		pData->tconf.io_timeout_ms = (int)v->val.d.n;
		FINALIZE;
	}
	if (!strcmp(name, "failback.interval")) {
		pData->tconf.failback_interval_ms = (int)v->val.d.n;
		FINALIZE;
	}
	if (!strcmp(name, "target")) {
		CHKiRet(array_strings(v->val.d.ar, &pData->targets, &pData->tconf.n_targets));
		pData->tconf.targets = (const char *const *)pData->targets;
		for (i = 0; i < pData->tconf.n_targets; i++) {
			char host[256], err[256];
			int port = 0;
			if (pData->targets[i][0] == '\0') {
				parser_errmsg("omauditfwd: parameter 'target' must not be empty");
				ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
			}
			if (transport_target_parse(pData->targets[i], host, sizeof(host), &port,
			                           err, sizeof(err)) != 0) {
				parser_errmsg("omauditfwd: parameter 'target': %s", err);
				ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
			}
		}
		if (pData->tconf.n_targets == 0) {
			parser_errmsg("omauditfwd: parameter 'target' must not be an empty list");
			ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
		}
		CHKmalloc(pData->target = strdup(pData->targets[0]));
		FINALIZE;
	}
	if (!strcmp(name, "join")) {
		pData->join = (int)v->val.d.n;
		FINALIZE;
	}
	if (!strcmp(name, "join.timeout")) {
		pData->jconf.timeout_ms = (unsigned)v->val.d.n;
		FINALIZE;
	}
	if (!strcmp(name, "join.maxpending")) {
		pData->jconf.max_pending = (size_t)v->val.d.n;
		FINALIZE;
	}
	if (!strcmp(name, "enrich")) {
		pData->enrich = (int)v->val.d.n;
		FINALIZE;
	}
	if (!strcmp(name, "closeTimeout")) {
		pData->tconf.kafka_close_timeout_ms = (int)v->val.d.n;
		FINALIZE;
	}
	if (!strcmp(name, "broker")) {
		CHKiRet(array_joined(v->val.d.ar, &pData->kafka_brokers));
		pData->tconf.kafka_brokers = pData->kafka_brokers;
		FINALIZE;
	}
	if (!strcmp(name, "confParam")) {
		CHKiRet(array_strings(v->val.d.ar, &pData->kafka_conf,
		                      &pData->tconf.kafka_n_conf_params));
		pData->tconf.kafka_conf_params = (const char *const *)pData->kafka_conf;
		FINALIZE;
	}
	if (!strcmp(name, "tls.permittedpeer")) {
		CHKiRet(array_strings(v->val.d.ar, &pData->tls_permittedpeers,
		                      &pData->tconf.tls_n_permittedpeers));
		pData->tconf.tls_permittedpeers = (const char *const *)pData->tls_permittedpeers;
		FINALIZE;
	}
	if (!strcmp(name, "topicConfParam")) {
		CHKiRet(array_strings(v->val.d.ar, &pData->kafka_topic_conf,
		                      &pData->tconf.kafka_n_topic_conf_params));
		pData->tconf.kafka_topic_conf_params = (const char *const *)pData->kafka_topic_conf;
		FINALIZE;
	}
	CHKmalloc(s = es_str2cstr(v->val.d.estr, NULL));
	if (!strcmp(name, "template")) {
		pData->tplName = (uchar *)s;
		s = NULL;
	} else if (!strcmp(name, "port")) {
		CHKiRet(parse_port(s, &pData->tconf.port));
	} else if (!strcmp(name, "transport")) {
		if ((pData->transport = transport_find(s)) == NULL)
			ABORT_FINALIZE(bad_choice(name, s, transport_names()));
	} else if (!strcmp(name, "framing")) {
		if (framing_parse(s, &pData->tconf.framing) != 0)
			ABORT_FINALIZE(bad_choice(name, s, "octet-counted, lf"));
	} else if (!strcmp(name, "format")) {
		if ((pData->pconf.format = format_find(s)) == NULL)
			ABORT_FINALIZE(bad_choice(name, s, format_names()));
	} else if (!strcmp(name, "unparsed")) {
		if (unparsed_policy_parse(s, &pData->pconf.unparsed) != 0)
			ABORT_FINALIZE(bad_choice(name, s, "forward, drop"));
	} else if (!strcmp(name, "syslog.header")) {
		if (syslog_style_parse(s, &pData->pconf.header.style) != 0 ||
		    pData->pconf.header.style == SYSLOG_HDR_NONE)
			ABORT_FINALIZE(bad_choice(name, s, "rfc5424, rfc3164"));
	} else if (!strcmp(name, "topic")) {
		pData->tconf.kafka_topic = pData->kafka_topic = s;
		s = NULL;
	} else if (!strcmp(name, "key")) {
		pData->tconf.kafka_key = pData->kafka_key = s;
		s = NULL;
	} else if (!strcmp(name, "compression")) {
		pData->tconf.kafka_compression = pData->kafka_compression = s;
		s = NULL;
	} else if (!strcmp(name, "tls.cacert")) {
		pData->tconf.tls_cacert = pData->tls_cacert = s;
		s = NULL;
	} else if (!strcmp(name, "tls.mycert")) {
		pData->tconf.tls_mycert = pData->tls_mycert = s;
		s = NULL;
	} else if (!strcmp(name, "tls.myprivkey")) {
		pData->tconf.tls_myprivkey = pData->tls_myprivkey = s;
		s = NULL;
	} else if (!strcmp(name, "tls.authmode")) {
		if (tls_authmode_parse(s, &pData->tconf.tls_authmode) != 0)
			ABORT_FINALIZE(bad_choice(name, s, "x509/name, x509/fingerprint, "
			                          "x509/certvalid, anon"));
		pData->tls_authmode_set = 1;
	} else if (!strcmp(name, "tls.minversion")) {
		if (strcmp(s, "1.2") != 0 && strcmp(s, "1.3") != 0)
			ABORT_FINALIZE(bad_choice(name, s, "1.2, 1.3"));
		pData->tconf.tls_minversion = pData->tls_minversion = s;
		s = NULL;
	} else if (!strcmp(name, "statsname")) {
		pData->statsname = s;
		s = NULL;
	} else if (!strcmp(name, "enrich.ids")) {
		if (enrich_ids_parse(s, &pData->econf.ids) != 0)
			ABORT_FINALIZE(bad_choice(name, s, "auto, always, never"));
	} else if (!strcmp(name, "syslog.appname")) {
		if (syslog_app_name_check(s) != 0) {
			parser_errmsg("omauditfwd: parameter 'syslog.appname': invalid value '%s', "
			              "expected 1 to %d printable characters without spaces, "
			              "':' or '['", s, SYSLOG_APPNAME_MAX);
			ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
		}
		pData->app_name = s;
		s = NULL;
	} else {
		DBGPRINTF("omauditfwd: program error, unhandled parameter '%s'\n", name);
	}
finalize_it:
	free(s);
	RETiRet;
}

/* transport="tls": the files not given fall back to rsyslog's global
 * DefaultNetstreamDriverCAFile/CertFile/KeyFile, as omfwd's do */
static rsRetVal tls_defaults(instanceData *pData)
{
	static const char *const names[] = { "DefaultNetstreamDriverCAFile",
	                                     "DefaultNetstreamDriverCertFile",
	                                     "DefaultNetstreamDriverKeyFile" };
	char **own[] = { &pData->tls_cacert, &pData->tls_mycert, &pData->tls_myprivkey };
	const char **conf[] = { &pData->tconf.tls_cacert, &pData->tconf.tls_mycert,
	                        &pData->tconf.tls_myprivkey };
	uchar *glob[3];
	int i;
	DEFiRet;

	glob[0] = glbl.GetDfltNetstrmDrvrCAF(loadConf);
	glob[1] = glbl.GetDfltNetstrmDrvrCertFile(loadConf);
	glob[2] = glbl.GetDfltNetstrmDrvrKeyFile(loadConf);
	for (i = 0; i < 3; i++) {
		if (*own[i] != NULL || glob[i] == NULL || *glob[i] == '\0')
			continue;
		CHKmalloc(*own[i] = strdup((const char *)glob[i]));
		*conf[i] = *own[i];
		DBGPRINTF("omauditfwd: tls: %s from global(%s)\n", *own[i], names[i]);
	}
	if (pData->tconf.tls_authmode == TLS_AUTH_ANON)
		parser_warnmsg("omauditfwd: tls.authmode=\"anon\": the collector's certificate "
		               "is not checked; anyone on the path can read and change the "
		               "audit data");
finalize_it:
	RETiRet;
}

/* "host:port[,host:port...]": the targets, for messages and the statsname */
static void set_where(instanceData *pData)
{
	char host[256], err[128];
	size_t i, len = 0;
	int port;

	pData->where[0] = '\0';
	for (i = 0; i < pData->tconf.n_targets && len + 1 < sizeof(pData->where); i++) {
		port = pData->tconf.port;
		if (transport_target_parse(pData->targets[i], host, sizeof(host), &port,
		                           err, sizeof(err)) != 0)
			snprintf(host, sizeof(host), "%s", pData->targets[i]);
		snprintf(pData->where + len, sizeof(pData->where) - len,
		         strchr(host, ':') ? "%s[%s]:%d" : "%s%s:%d", i ? "," : "", host, port);
		len = strlen(pData->where);
	}
}

/* impstats: what the action did, one object per action, counters read in
 * place (they are updated atomically by the core and the glue) */
static rsRetVal setup_stats(instanceData *pData)
{
	static const struct { const char *name; size_t off; } pipe_ctrs[] = {
		{ "lines.in", offsetof(pipeline_stats_t, lines_in) },
		{ "records.parsed", offsetof(pipeline_stats_t, records_parsed) },
		{ "records.unparsed", offsetof(pipeline_stats_t, unparsed) },
		{ "unparsed.dropped", offsetof(pipeline_stats_t, unparsed_dropped) },
		{ "messages.sent", offsetof(pipeline_stats_t, messages_out) },
	};
	static const struct { const char *name; size_t off; } stream_ctrs[] = {
		{ "connects", offsetof(transport_stream_stats_t, connects) },
		{ "connects.failed", offsetof(transport_stream_stats_t, connect_failures) },
		{ "handshakes.failed", offsetof(transport_stream_stats_t, handshake_failures) },
		{ "failovers", offsetof(transport_stream_stats_t, failovers) },
	};
	char name[256];
	size_t i;
	DEFiRet;

	if (pData->statsname == NULL) {
		snprintf(name, sizeof(name), "omauditfwd-%s", pData->where);
		CHKmalloc(pData->statsname = strdup(name));
	}
	CHKiRet(statsobj.Construct(&pData->statsobj));
	CHKiRet(statsobj.SetName(pData->statsobj, (uchar *)pData->statsname));
	CHKiRet(statsobj.SetOrigin(pData->statsobj, (uchar *)"omauditfwd"));
	for (i = 0; i < sizeof(pipe_ctrs) / sizeof(pipe_ctrs[0]); i++)
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)pipe_ctrs[i].name,
		                            ctrType_IntCtr, CTR_FLAG_NONE,
		                            (intctr_t *)((char *)&pData->stats + pipe_ctrs[i].off)));
	CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"bytes.sent",
	                            ctrType_IntCtr, CTR_FLAG_NONE, &pData->bytes_sent));
	CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"batches.failed",
	                            ctrType_IntCtr, CTR_FLAG_NONE, &pData->batches_failed));
	for (i = 0; pData->tconf.stream_stats != NULL &&
	     i < sizeof(stream_ctrs) / sizeof(stream_ctrs[0]); i++)
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)stream_ctrs[i].name,
		                            ctrType_IntCtr, CTR_FLAG_NONE,
		                            (intctr_t *)((char *)&pData->sstats + stream_ctrs[i].off)));
	if (pData->joiner != NULL) {
		audit_joiner_stats_t *js = (audit_joiner_stats_t *)audit_joiner_counters(pData->joiner);
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"events.complete",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->events_complete));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"events.incomplete",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->events_incomplete));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"events.evicted",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->events_evicted));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"events.pending",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->pending));
	}
	if (pData->enricher != NULL) {
		enrich_stats_t *es = (enrich_stats_t *)enrich_stats(pData->enricher);
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"idcache.hits",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&es->id_cache_hits));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"idcache.misses",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&es->id_cache_misses));
	}
	CHKiRet(statsobj.ConstructFinalize(pData->statsobj));
finalize_it:
	RETiRet;
}

BEGINnewActInst
	struct cnfparamvals *pvals;
	transport_t *probe = NULL;
	char errstr[OMAF_ERRSTR_MAX];
	int i;
CODESTARTnewActInst
	if ((pvals = nvlstGetParams(lst, &actpblk, NULL)) == NULL)
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	CHKiRet(createInstance(&pData));
	for (i = 0; i < actpblk.nParams; ++i) {
		if (pvals[i].bUsed)
			CHKiRet(set_param(pData, actpblk.descr[i].name, &pvals[i]));
	}
	pData->tconf.target = pData->target;
	if (pData->target == NULL && pData->transport != &transport_kafka) {
		parser_errmsg("omauditfwd: parameter 'target' required but not specified "
		              "(transport=\"%s\")", pData->transport->name);
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	}
	if (pData->transport == &transport_kafka && pData->tconf.n_targets > 1) {
		parser_errmsg("omauditfwd: parameter 'target': one broker only with "
		              "transport=\"kafka\"; several go into 'broker'");
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	if (pData->transport != &transport_kafka)
		pData->tconf.stream_stats = &pData->sstats;
	if (pData->transport != &transport_kafka &&
	    (pData->kafka_brokers || pData->kafka_topic || pData->kafka_key ||
	     pData->kafka_compression || pData->kafka_conf || pData->kafka_topic_conf)) {
		parser_errmsg("omauditfwd: parameters 'broker', 'topic', 'key', 'compression', "
		              "'confParam' and 'topicConfParam' need transport=\"kafka\"");
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	if (pData->transport != &transport_tls &&
	    (pData->tls_cacert || pData->tls_mycert || pData->tls_myprivkey ||
	     pData->tls_minversion || pData->tls_permittedpeers || pData->tls_authmode_set)) {
		parser_errmsg("omauditfwd: parameter '%s' needs transport=\"tls\"",
		              pData->tls_cacert ? "tls.cacert" : pData->tls_mycert ? "tls.mycert" :
		              pData->tls_myprivkey ? "tls.myprivkey" :
		              pData->tls_minversion ? "tls.minversion" :
		              pData->tls_permittedpeers ? "tls.permittedpeer" : "tls.authmode");
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	if (pData->transport == &transport_tls)
		CHKiRet(tls_defaults(pData));
	if (pData->app_name != NULL)
		pData->pconf.header.app_name = pData->app_name;
	/* let the transport check its configuration now, at load time */
	if (pData->transport->create(&probe, &pData->tconf, errstr, sizeof(errstr)) !=
	    TRANSPORT_OK) {
		parser_errmsg("omauditfwd: %s", errstr);
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	pData->transport->destroy(probe);
	if (pData->tconf.port == 0)
		pData->tconf.port = pData->transport->default_port;
	if (pData->transport == &transport_kafka)
		snprintf(pData->where, sizeof(pData->where), "kafka:%s", pData->kafka_topic);
	else
		set_where(pData);
	if (pData->join) {
		CHKmalloc(pData->joiner = audit_joiner_new(&pData->jconf));
		pData->pconf.joiner = pData->joiner;
	}
	if (pData->enrich) {
		CHKmalloc(pData->enricher = enrich_new(&pData->econf));
		pData->pconf.enrich = pData->enricher;
	}

	CHKiRet(setup_stats(pData));

	CODE_STD_STRING_REQUESTnewActInst(1)
	CHKiRet(OMSRsetEntry(*ppOMSR, 0, (uchar *)strdup(pData->tplName != NULL ?
	                     (char *)pData->tplName : OMAF_DEFAULT_TEMPLATE),
	                     OMSR_NO_RQD_TPL_OPTS));
CODE_STD_FINALIZERnewActInst
	cnfparamvalsDestruct(pvals, &actpblk);
ENDnewActInst

NO_LEGACY_CONF_parseSelectorAct

BEGINmodExit
CODESTARTmodExit
	objRelease(statsobj, CORE_COMPONENT);
	objRelease(glbl, CORE_COMPONENT);
ENDmodExit

BEGINqueryEtryPt
CODESTARTqueryEtryPt
CODEqueryEtryPt_STD_OMODTX_QUERIES
CODEqueryEtryPt_STD_OMOD8_QUERIES
CODEqueryEtryPt_STD_CONF2_OMOD_QUERIES
CODEqueryEtryPt_doHUP
CODEqueryEtryPt_doHUPWrkr
ENDqueryEtryPt

BEGINmodInit()
CODESTARTmodInit
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
CODEmodInit_QueryRegCFSLineHdlr
	CHKiRet(objUse(statsobj, CORE_COMPONENT));
	CHKiRet(objUse(glbl, CORE_COMPONENT));
	INITChkCoreFeature(bCoreSupportsBatching, CORE_FEATURE_BATCHING);
	if (!bCoreSupportsBatching) {
		LogError(0, NO_ERRCODE, "omauditfwd: rsyslog core too old (no batching)");
		ABORT_FINALIZE(RS_RET_ERR);
	}
ENDmodInit
