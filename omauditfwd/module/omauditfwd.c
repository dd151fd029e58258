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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <pthread.h>
#include <time.h>
#include <stdarg.h>
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
#include "dirty.h"

#include "join_timer.h"
#include "pipeline.h"
#include "reduce.h"
#include "transport.h"
#include "settings_store.h"
#include "filter.h"
#include "deadletter.h"
#include "delivery.h"
#include "settings.h"

MODULE_TYPE_OUTPUT
MODULE_TYPE_NOKEEP
MODULE_CNFNAME("omauditfwd")

DEF_OMOD_STATIC_DATA
DEFobjCurrIf(statsobj)
DEFobjCurrIf(glbl)

/* The line the module reads when no template is given: the RFC 5424 line
 * of RSYSLOG_SyslogProtocol23Format without PROCID, MSGID and
 * STRUCTURED-DATA ("-" each), which the parse never reads: it takes the
 * HOSTNAME and the MSG, and for a journald record the APP-NAME and the
 * TIMESTAMP (syslog_read.h). Rendering it costs rsyslogd about a third
 * less than the whole line (callgrind: 2,423 -> about 1,650 instructions
 * a record); the parse of every input form is the same. Defined in the
 * configuration being loaded by the first action that needs it; the
 * leading blank keeps it out of the way of configured names (rsyslog's
 * own internal templates are named so). */
#define OMAF_LINE_TEMPLATE      " omauditfwd line"
#define OMAF_LINE_TEMPLATE_TEXT \
	"\"<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% - - - %msg%\n\""
#define OMAF_ERRSTR_MAX        512

/* A transport's counters (its ops.counters, ops.stats_size bytes) shared
 * by an action and its workers' transports. rsyslog frees the worker
 * instance of a worker it had to cancel at shutdown after the action
 * instance, so the last one out frees them. */
typedef struct stats_sink {
	int refs;
	unsigned long long st[];  /* the transport's stats block */
} stats_sink_t;

static stats_sink_t *sink_new(size_t size)
{
	stats_sink_t *k = calloc(1, sizeof(*k) + size);

	if (k != NULL)
		k->refs = 1;
	return k;
}

static stats_sink_t *sink_ref(stats_sink_t *k)
{
	if (k != NULL)
		__atomic_fetch_add(&k->refs, 1, __ATOMIC_ACQ_REL);
	return k;
}

static void sink_unref(stats_sink_t *k)
{
	if (k != NULL && __atomic_sub_fetch(&k->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(k);
}

typedef struct _instanceData {
	uchar *tplName;
	char *target;               /* the first of targets */
	char **targets;             /* target="..." or target=[...] */
	transport_stream_stats_t sstats; /* TRANSPORT_CAP_STREAM_STATS: impstats (atomic) */
	unsigned char given[SET_COUNT]; /* the parameters given (settings.h ids) */
	char *app_name;
	const transport_ops_t *transport;
	transport_conf_t tconf;
	pipeline_conf_t pconf;
	pipeline_stats_t stats;     /* shared by the action's workers */
	int join;
	audit_joiner_conf_t jconf;
	audit_joiner_t *joiner;     /* NULL when join="off" */
	delivery_t dlv;             /* the shutdown spool and its policy (delivery.h) */
	int flush_requested;        /* HUP: complete held events (atomic) */
	join_timer_t *jtimer;       /* started by the first worker (atomic),
	                             * stopped by freeInstance */
	int jt_started;             /* under the once lock of start_join_timer() */
	join_timer_stats_t jt_stats; /* impstats (atomic) */
	int enrich;
	enrich_conf_t econf;
	enrich_t *enricher;         /* NULL when enrich="off" */
	char *statsname;
	statsobj_t *statsobj;       /* impstats: one object per action */
	intctr_t bytes_sent;        /* message bytes delivered (atomic) */
	intctr_t batches_failed;    /* batches not delivered, retried (atomic) */
	char where[320];            /* "host:port" or "kafka:topic", for messages */
	char *ttext[SET_COUNT];     /* the text of the settings kept in tconf
	                             * (settings_in_transport), which tconf
	                             * points to */
	char **tlist[SET_COUNT];    /* ... their lists (NULL-terminated) */
	int dyna_topic, dyna_key;   /* topic, key: the names of templates */
	int ntpls;                  /* templates per message: the line's first */
	int topic_tpl, key_tpl;     /* ... then these (their index; 0: none) */
	intctr_t topics_renamed;    /* messages whose topic was made valid (atomic) */
	int renamed_warned;         /* ... logged once (atomic) */
	stats_sink_t *sink;         /* the workers' transports count here (NULL:
	                             * the transport has no counters of its own) */
	char *deadletter_path;      /* kafka: messages refused for good (NULL: no
	                             * workDirectory; they keep the batch failed) */
	int deadletter_checked;     /* setup_deadletter() ran (under its lock) */
	char **filter_rules;        /* filter=[...] */
	size_t n_filter_rules;
	char *filter_file;          /* filter.file: read at load and on HUP */
	filter_t *filter;           /* NULL: no filter (every event is sent) */
	statsobj_t *filter_stats;   /* impstats: the rules' counters */
	pthread_mutex_t filter_mu;  /* HUP reloads one at a time */
	char *attack_mapping;       /* attack.mapping */
	attack_map_t *attack_map;
	int ancestry;               /* ancestry="on" */
	ancestry_conf_t aconf;
	ancestry_t *ancestry_table;
	long long max_message_size; /* maxMessageSize; -1: not given (default) */
} instanceData;

static rsRetVal setup_spool(instanceData *pData);
static rsRetVal setup_deadletter(instanceData *pData);
static void unclaim_spool(instanceData *pData);
static void start_join_timer(instanceData *pData);
static void filter_reload(instanceData *pData);
static int shutting_down(void);

typedef struct wrkrInstanceData {
	instanceData *pData;
	pipeline_t *pipe;
	transport_t *tr;
	const transport_ops_t *ops; /* pData->transport, kept for freeWrkrInstance */
	stats_sink_t *sink;
	msgbatch_t batch;
	buf_t route;                /* the route of one message (see message_route) */
	uint64_t renamed;           /* topics made valid in this batch */
	delivery_worker_t dw;       /* outages, messages handed back (delivery.h);
	                             * it may outlive pData (see stats_sink_t) */
	int hup;                    /* HUP: reconnect, set by rsyslog's HUP thread
	                             * and acted on by the worker (atomic) */
} wrkrInstanceData_t;

static const actWrkrIParams_t *message_line(const instanceData *pData,
                                            actWrkrIParams_t *const pParams, unsigned i);
static int message_route(wrkrInstanceData_t *pWrkrData, actWrkrIParams_t *const pParams,
                         unsigned i, const char **route, size_t *len, int count);

/* action parameters: the settings table's rows (settings.h) that are not
 * the CLI's own, in table order (pvals[i] is setting i), built at modInit */
#define OMAF_NPARAMS SET_CLI_HOST
static struct cnfparamdescr actpdescr[OMAF_NPARAMS];
static struct cnfparamblk actpblk = { CNFPARAMBLK_VERSION, OMAF_NPARAMS, actpdescr };

/* rsyslog's parser for a row of the table: numbers, sizes and switches as
 * rsyslog reads them (range-checked after, from the table), words up to a
 * space, text as it is */
static ecslCmdHdrlType param_type(const setting_t *s)
{
	switch (s->type) {
	case SETTING_BOOL: return eCmdHdlrBinary;
	case SETTING_INT: return s->min >= 1 ? eCmdHdlrPositiveInt : eCmdHdlrNonNegInt;
	case SETTING_SIZE: return eCmdHdlrSize;
	case SETTING_LIST: return eCmdHdlrArray;
	case SETTING_TEXT: return s->flags & SETTING_ONE_WORD ? eCmdHdlrGetWord : eCmdHdlrString;
	default: return eCmdHdlrGetWord;
	}
}

static void build_params(void)
{
	int i;

	for (i = 0; i < OMAF_NPARAMS; i++) {
		actpdescr[i].name = settings_get((setting_id_t)i)->name;
		actpdescr[i].type = param_type(settings_get((setting_id_t)i));
		actpdescr[i].flags = 0;
	}
}

/* the delivery unit's messages, as rsyslog's own */
static void log_delivery(delivery_level_t level, delivery_code_t code, int errnum,
                         const char *text)
{
	static const rsRetVal codes[] = {
		[DELIVERY_CODE_OK] = RS_RET_OK, [DELIVERY_CODE_ERR] = RS_RET_ERR,
		[DELIVERY_CODE_SUSPENDED] = RS_RET_SUSPENDED,
		[DELIVERY_CODE_NOMEM] = RS_RET_OUT_OF_MEMORY,
	};
	static const int severities[] = {
		[DELIVERY_ERROR] = LOG_ERR, [DELIVERY_WARNING] = LOG_WARNING,
		[DELIVERY_INFO] = LOG_INFO, [DELIVERY_DEBUG] = LOG_DEBUG,
	};

	if (level == DELIVERY_DEBUG) {
		DBGPRINTF("%s\n", text);
		return;
	}
	LogMsg(errnum, codes[code], severities[level], "%s", text);
}

BEGINcreateInstance
CODESTARTcreateInstance
	delivery_init(&pData->dlv, log_delivery);
	pthread_mutex_init(&pData->filter_mu, NULL);
	pData->transport = transport_find(settings_get(SET_TRANSPORT)->dflt);
	transport_conf_default(&pData->tconf);
	pipeline_conf_default(&pData->pconf);
	pData->join = 1;
	audit_joiner_conf_default(&pData->jconf);
	pData->enrich = 1;
	enrich_conf_default(&pData->econf);
	ancestry_conf_default(&pData->aconf);
	pData->max_message_size = -1;
ENDcreateInstance

/* transport_conf_t.reduce: a message Kafka refused for its size is
 * written again by the worker's pipeline, within LIMIT */
static int reduce_message(void *ctx, size_t idx, size_t limit, buf_t *out)
{
	return pipeline_reduce(ctx, idx, limit, out);
}

BEGINcreateWrkrInstance
	char errstr[OMAF_ERRSTR_MAX];
	transport_conf_t tconf;
CODESTARTcreateWrkrInstance
	msgbatch_init(&pWrkrData->batch);
	buf_init(&pWrkrData->route);
	pWrkrData->ops = pWrkrData->pData->transport;
	pWrkrData->sink = sink_ref(pWrkrData->pData->sink);
	CHKmalloc(pWrkrData->pipe = pipeline_new(&pWrkrData->pData->pconf,
	                                         &pWrkrData->pData->stats));
	CHKiRet(setup_deadletter(pWrkrData->pData));
	/* the transport keeps a copy: the reduce hook is this worker's */
	tconf = pWrkrData->pData->tconf;
	tconf.reduce = reduce_message;
	tconf.reduce_ctx = pWrkrData->pipe;
	if (pWrkrData->pData->transport->create(&pWrkrData->tr, &tconf,
	                                        errstr, sizeof(errstr)) != TRANSPORT_OK) {
		LogError(0, RS_RET_ERR, "omauditfwd: %s", errstr);
		ABORT_FINALIZE(RS_RET_ERR);
	}
	CHKiRet(setup_spool(pWrkrData->pData));
	start_join_timer(pWrkrData->pData);
	if (delivery_worker_init(&pWrkrData->dw, &pWrkrData->pData->dlv) != 0)
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
finalize_it:
ENDcreateWrkrInstance

BEGINisCompatibleWithFeature
CODESTARTisCompatibleWithFeature
ENDisCompatibleWithFeature

/* MB (made by PIPE) to TR, each message where its route says when the
 * action has routes */
static transport_rc_t send_batch(const instanceData *pData, transport_t *tr,
                                 const pipeline_t *pipe, const msgbatch_t *mb,
                                 size_t *delivered, char *errstr, size_t errlen)
{
	if (pData->pconf.routes)
		return pData->transport->send_routed(tr, mb, pipeline_routes(pipe), delivered,
		                                     errstr, errlen);
	return pData->transport->send(tr, mb, delivered, errstr, errlen);
}

/* Shutdown: the events still held belong to batches rsyslog considers
 * delivered. Send them (complete as they are) with a connection of our
 * own; what cannot be sent goes to the spool file for the next start, or
 * is reported lost with its count (delivery_held_unsent). Never silently. */
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
	if ((pipe = pipeline_new(&pData->pconf, &pData->stats)) == NULL) {
		delivery_held_nomem(&pData->dlv, (unsigned long long)st.pending);
		return;
	}
	pipeline_batch_begin(pipe);
	pipeline_flush(pipe);
	if (pData->transport->create(&tr, &pData->tconf, errstr, sizeof(errstr)) ==
	    TRANSPORT_OK)
		ok = pipeline_batch_end(pipe, &mb) == 0 &&
		     send_batch(pData, tr, pipe, &mb, &delivered, errstr, sizeof(errstr)) ==
		     TRANSPORT_OK;
	if (ok) {
		pipeline_batch_commit(pipe);
	} else {
		delivery_held_unsent(&pData->dlv, pData->joiner, (unsigned long long)st.pending,
		                     errstr);
		pipeline_batch_rollback(pipe);
	}
	if (tr != NULL)
		pData->transport->destroy(tr);
	pipeline_free(pipe);
	msgbatch_free(&mb);
}

/* ---- the join timer (join_timer.h): idle events and a HUP's flush ---- */

static void jt_report(void *ctx, int failed, const char *why)
{
	const instanceData *pData = ctx;

	if (failed)
		LogError(0, RS_RET_SUSPENDED, "omauditfwd[%s]: %s: audit events held past "
		         "join.timeout cannot be sent now, kept and retried every %d ms (or "
		         "sent with the next batch): %s", pData->statsname, pData->where,
		         JOIN_TIMER_RETRY_MS, why);
	else
		LogMsg(0, RS_RET_OK, LOG_INFO, "omauditfwd[%s]: %s: audit events held past "
		       "join.timeout are sent again", pData->statsname, pData->where);
}

/* by the first worker (the configuration is active then, and rsyslogd has
 * forked); a failure only costs latency, and is logged */
static void start_join_timer(instanceData *pData)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	char err[OMAF_ERRSTR_MAX];
	join_timer_conf_t c;
	join_timer_t *t;

	if (pData->joiner == NULL)
		return;
	pthread_mutex_lock(&once);
	if (!pData->jt_started) {
		pData->jt_started = 1;
		memset(&c, 0, sizeof(c));
		c.pconf = &pData->pconf;
		c.pstats = &pData->stats;
		c.ops = pData->transport;
		c.tconf = &pData->tconf;
		c.flush_requested = &pData->flush_requested;
		c.bytes_sent = (uint64_t *)&pData->bytes_sent;
		c.stats = &pData->jt_stats;
		c.paused = shutting_down;   /* the workers spool at shutdown */
		c.report = jt_report;
		c.ctx = pData;
		if (join_timer_start(&t, &c, err, sizeof(err)) == 0)
			__atomic_store_n(&pData->jtimer, t, __ATOMIC_RELEASE);
		else
			LogError(0, RS_RET_ERR, "omauditfwd[%s]: %s: held events wait for the "
			         "next batch", pData->statsname, err);
	}
	pthread_mutex_unlock(&once);
}

/* After a start that found a spool file, batches feed its lines to the
 * pipeline ahead of their own (delivery_feed_begin says which). Returns
 * the token for delivery_feed_end, 0 when this batch feeds nothing. */
static size_t feed_spool(wrkrInstanceData_t *pWrkrData)
{
	const audit_line_t *lines;
	size_t token, n, i;

	token = delivery_feed_begin(&pWrkrData->pData->dlv, &lines, &n);
	for (i = 0; i < n; i++)
		if (pipeline_process_routed(pWrkrData->pipe, lines[i].p, lines[i].len, NULL, 0,
		                            lines[i].route, lines[i].route_len,
		                            &pWrkrData->batch) != 0)
			break;
	return token;
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
	size_t i;
CODESTARTfreeInstance
	join_timer_stop(pData->jtimer);
	flush_at_shutdown(pData);
	unclaim_spool(pData);
	if (pData->statsobj != NULL)
		statsobj.Destruct(&pData->statsobj);
	if (pData->filter_stats != NULL)
		statsobj.Destruct(&pData->filter_stats);
	filter_free(pData->filter);
	attack_map_free(pData->attack_map);
	ancestry_free(pData->ancestry_table);
	free(pData->attack_mapping);
	free_strings(pData->filter_rules);
	free(pData->filter_file);
	pthread_mutex_destroy(&pData->filter_mu);
	audit_joiner_free(pData->joiner);
	enrich_free(pData->enricher);
	free(pData->statsname);
	free(pData->deadletter_path);
	delivery_free(&pData->dlv);
	for (i = 0; i < SET_COUNT; i++) {
		free(pData->ttext[i]);
		free_strings(pData->tlist[i]);
	}
	free(pData->tplName);
	free(pData->target);
	free_strings(pData->targets);
	free(pData->app_name);
	sink_unref(pData->sink);
ENDfreeInstance

/* the messages of a batch just handed back to rsyslog (HOLD) or settled */
static void track_batch(wrkrInstanceData_t *pWrkrData, actWrkrIParams_t *const pParams,
                        const unsigned nParams, int hold)
{
	const char *route;
	size_t rlen;
	unsigned i;

	if (!hold && delivery_held(&pWrkrData->dw) == 0)
		return;
	for (i = 0; i < nParams; i++) {
		const actWrkrIParams_t *prm = message_line(pWrkrData->pData, pParams, i);

		if (message_route(pWrkrData, pParams, i, &route, &rlen, 0) != 0)
			continue;   /* out of memory: not kept (it is also not settled) */
		if (hold)
			(void)delivery_hold(&pWrkrData->dw, (const char *)prm->param, prm->lenStr,
			                    route, rlen);
		else
			delivery_settle(&pWrkrData->dw, (const char *)prm->param, prm->lenStr,
			                route, rlen);
	}
}

BEGINfreeWrkrInstance
CODESTARTfreeWrkrInstance
	/* no pData here: see stats_sink_t */
	delivery_worker_free(&pWrkrData->dw);   /* saves what rsyslog dropped */
	if (pWrkrData->tr != NULL)
		pWrkrData->ops->destroy(pWrkrData->tr);
	sink_unref(pWrkrData->sink);
	pipeline_free(pWrkrData->pipe);
	msgbatch_free(&pWrkrData->batch);
	buf_free(&pWrkrData->route);
ENDfreeWrkrInstance

BEGINdbgPrintInstInfo
CODESTARTdbgPrintInstInfo
	dbgprintf("omauditfwd: %s transport=%s format=%s join=%d\n", pData->where,
	          pData->transport->name, pData->pconf.format->name, pData->join);
ENDdbgPrintInstInfo

/* A delivery attempt failed (logged once per outage, see delivery.h);
 * whether the transport is stopping is the glue's to tell. */
static void note_failure(wrkrInstanceData_t *const pWrkrData, const char *errstr)
{
	const instanceData *const pData = pWrkrData->pData;
	const int stopping = pData->tconf.should_stop != NULL && pData->tconf.should_stop();

	delivery_failed(&pWrkrData->dw, errstr, time(NULL), stopping,
	                stopping && pWrkrData->ops->undelivered != NULL ?
	                pWrkrData->ops->undelivered(pWrkrData->tr) : 0);
}

/* rsyslog cancels a worker that does not finish in time at shutdown. A
 * thread cancelled inside librdkafka (or OpenSSL) leaves its locks held and
 * the next call hangs: the transport's calls are bounded by their timeouts,
 * so let them finish and take the cancellation afterwards. */
#define NO_CANCEL_BEGIN(old) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &(old))
#define NO_CANCEL_END(old) pthread_setcancelstate((old), NULL)

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
	NO_CANCEL_BEGIN(cancel_state);
	/* shutting down: the next commit saves the batch to the spool file
	 * rather than leaving rsyslog to drop it */
	if (delivery_spool_path(&pWrkrData->pData->dlv) != NULL && shutting_down())
		FINALIZE;
	reconnect_if_hup(pWrkrData);
	if (!pWrkrData->pData->transport->is_connected(pWrkrData->tr)) {
		if (pWrkrData->pData->transport->connect(pWrkrData->tr, errstr,
		                                         sizeof(errstr)) != TRANSPORT_OK) {
			note_failure(pWrkrData, errstr);
			ABORT_FINALIZE(RS_RET_SUSPENDED);
		}
	}
finalize_it:
	NO_CANCEL_END(cancel_state);
ENDtryResume

BEGINbeginTransaction
CODESTARTbeginTransaction
ENDbeginTransaction

/* rsyslogd is shutting down (its inputs are stopped) */
static int shutting_down(void)
{
	return glbl.GetGlobalInputTermState() != 0;
}

/* The line of message I of the batch */
static const actWrkrIParams_t *message_line(const instanceData *pData,
                                            actWrkrIParams_t *const pParams, unsigned i)
{
	return &actParam(pParams, pData->ntpls, i, 0);
}

/* a topic template's TEXT (LEN bytes) as the transport takes it in OUT */
static size_t route_topic(const transport_ops_t *ops, const char *text, size_t len,
                          char out[TRANSPORT_ROUTE_TOPIC_MAX + 1], int *changed)
{
	if (ops->route_fix != NULL)
		return ops->route_fix(text, len, out, changed);
	*changed = len > TRANSPORT_ROUTE_TOPIC_MAX;
	len = *changed ? TRANSPORT_ROUTE_TOPIC_MAX : len;
	memcpy(out, text, len);
	out[len] = '\0';
	return len;
}

/* The route of message I (dynaTopic, dynaKey; transport_route_t): its
 * topic template's text made a valid topic name, and its key template's
 * text when dynaKey is on, encoded (transport_route_write) into *ROUTE,
 * valid until the next call; NULL (*LEN 0) when the action has no routes. COUNT: count a
 * topic made valid (once per delivery attempt). 0, or -1 when memory ran
 * out. */
static int message_route(wrkrInstanceData_t *pWrkrData, actWrkrIParams_t *const pParams,
                         unsigned i, const char **route, size_t *len, int count)
{
	instanceData *const pData = pWrkrData->pData;
	char topic[TRANSPORT_ROUTE_TOPIC_MAX + 1];
	transport_route_t r = { "", 0, NULL, 0, 0, NULL, 0 };
	const actWrkrIParams_t *prm;
	const char *text;
	int changed;

	*route = NULL;
	*len = 0;
	if (!pData->pconf.routes)
		return 0;
	buf_reset(&pWrkrData->route);
	if (pData->topic_tpl) {
		prm = &actParam(pParams, pData->ntpls, i, pData->topic_tpl);
		text = prm->param != NULL ? (const char *)prm->param : "";
		r.topic = topic;
		r.topic_len = route_topic(pData->transport, text,
		                          prm->param != NULL ? prm->lenStr : 0, topic, &changed);
		if (changed) {
			pWrkrData->renamed += count != 0;
			if (!__atomic_exchange_n(&pData->renamed_warned, 1, __ATOMIC_ACQ_REL))
				LogMsg(0, RS_RET_OK, LOG_WARNING, "omauditfwd[%s]: template '%s' gave "
				       "\"%.*s\", not a Kafka topic name: sent to \"%s\" (characters "
				       "other than a-z A-Z 0-9 . _ - become '_'; counted in "
				       "kafka.topic.renamed, logged once)", pData->statsname,
				       pData->ttext[SET_TOPIC], (int)(prm->param != NULL ? prm->lenStr : 0),
				       text, topic);
		}
	}
	if (pData->key_tpl) {
		prm = &actParam(pParams, pData->ntpls, i, pData->key_tpl);
		r.has_key = 1;
		r.key = prm->param != NULL ? (const char *)prm->param : "";
		r.key_len = prm->param != NULL ? prm->lenStr : 0;
	}
	transport_route_write(&pWrkrData->route, &r);
	buf_reserve(&pWrkrData->route, 1);      /* a base even when empty */
	if (pWrkrData->route.oom)
		return -1;
	*route = pWrkrData->route.p;
	*len = pWrkrData->route.len;
	return 0;
}

/* The lines of the batch with their routes, in LINES (N of them)
 * and ROUTES (which the routes point into). 0, or -1 when memory ran out. */
static int batch_lines(wrkrInstanceData_t *pWrkrData, actWrkrIParams_t *const pParams,
                       const unsigned nParams, audit_line_t *lines, buf_t *routes)
{
	size_t rlen, *roff;
	const char *route;
	unsigned i;

	if ((roff = calloc(nParams ? nParams : 1, sizeof(*roff))) == NULL)
		return -1;
	for (i = 0; i < nParams; i++) {
		const actWrkrIParams_t *prm = message_line(pWrkrData->pData, pParams, i);

		lines[i].p = (char *)prm->param;
		lines[i].len = prm->lenStr;
		if (message_route(pWrkrData, pParams, i, &route, &rlen, 0) != 0) {
			free(roff);
			return -1;
		}
		roff[i] = routes->len;
		lines[i].route_len = rlen;
		if (route != NULL)
			buf_append(routes, route, rlen);
	}
	for (i = 0; !routes->oom && pWrkrData->pData->pconf.routes && i < nParams; i++)
		lines[i].route = routes->p + roff[i];
	free(roff);
	return routes->oom ? -1 : 0;
}

/* Shutdown with the collector unreachable: rsyslog would retry this batch
 * until its shutdown timeout and then drop it. Save it instead, after the
 * events the joiner holds (older records first), settle its messages and
 * let rsyslog consider it delivered. 0 when saved; -1 when not shutting
 * down, without a spool file, or (logged) when it could not be saved: the
 * batch is then untouched. */
static int spool_batch(wrkrInstanceData_t *pWrkrData, actWrkrIParams_t *const pParams,
                       const unsigned nParams, const char *why)
{
	instanceData *const pData = pWrkrData->pData;
	audit_line_t *lines;
	buf_t routes;
	int rc = -1;

	if (delivery_spool_path(&pData->dlv) == NULL || !shutting_down())
		return -1;
	buf_init(&routes);
	buf_reserve(&routes, 1);
	if ((lines = calloc(nParams ? nParams : 1, sizeof(*lines))) == NULL ||
	    batch_lines(pWrkrData, pParams, nParams, lines, &routes) != 0)
		goto out;
	pipeline_batch_begin(pWrkrData->pipe);
	pipeline_flush(pWrkrData->pipe);
	rc = delivery_save_batch(&pData->dlv, pData->joiner, lines, nParams, why);
	if (rc == 0) {
		pipeline_batch_commit(pWrkrData->pipe);
		track_batch(pWrkrData, pParams, nParams, 0);
	} else {
		pipeline_batch_rollback(pWrkrData->pipe);
	}
out:
	free(lines);
	buf_free(&routes);
	return rc;
}

/* one batch: parse, join, format, send; all or nothing */
static rsRetVal deliver_batch(wrkrInstanceData_t *const pWrkrData,
                              actWrkrIParams_t *const pParams, const unsigned nParams)
{
	instanceData *const pData = pWrkrData->pData;
	char errstr[OMAF_ERRSTR_MAX] = "out of memory formatting the batch";
	size_t delivered = 0;
	unsigned i;
	size_t fed;
	int flush;
	DEFiRet;

	/* shutting down after a failure: waiting for the collector again (up
	 * to the timeouts, for each of the messages rsyslog retries one by
	 * one) would only delay the end; save the batch at once */
	if (delivery_failing(&pWrkrData->dw) &&
	    spool_batch(pWrkrData, pParams, nParams, "the collector was unreachable") == 0)
		FINALIZE;
	reconnect_if_hup(pWrkrData);
	msgbatch_reset(&pWrkrData->batch);
	pWrkrData->renamed = 0;
	pipeline_batch_begin(pWrkrData->pipe);
	fed = !shutting_down() ? feed_spool(pWrkrData) : 0;
	flush = __atomic_exchange_n(&pData->flush_requested, 0, __ATOMIC_ACQ_REL);
	if (flush)
		pipeline_flush(pWrkrData->pipe);
	for (i = 0; i < nParams; i++) {
		const actWrkrIParams_t *prm = message_line(pData, pParams, i);
		const char *route;
		size_t rlen;

		if (message_route(pWrkrData, pParams, i, &route, &rlen, 1) != 0 ||
		    pipeline_process_routed(pWrkrData->pipe, (const char *)prm->param, prm->lenStr,
		                            NULL, 0, route, rlen, &pWrkrData->batch) != 0)
			break;
	}
	if (i < nParams || pipeline_batch_end(pWrkrData->pipe, &pWrkrData->batch) != 0 ||
	    send_batch(pData, pWrkrData->tr, pWrkrData->pipe, &pWrkrData->batch, &delivered,
	               errstr, sizeof(errstr)) != TRANSPORT_OK) {
		/* rsyslog keeps the batch and retries it: forget what it did */
		pipeline_batch_rollback(pWrkrData->pipe);
		delivery_feed_end(&pData->dlv, fed, 0);
		if (flush)
			__atomic_store_n(&pData->flush_requested, 1, __ATOMIC_RELEASE);
		/* ... but not when it is shutting down: it would drop the batch */
		if (spool_batch(pWrkrData, pParams, nParams, errstr) == 0)
			FINALIZE;
		track_batch(pWrkrData, pParams, nParams, 1);
		__atomic_fetch_add(&pData->batches_failed, 1, __ATOMIC_RELAXED);
		note_failure(pWrkrData, errstr);
		ABORT_FINALIZE(RS_RET_SUSPENDED);
	}
	track_batch(pWrkrData, pParams, nParams, 0);
	delivery_feed_end(&pData->dlv, fed, 1);
	pipeline_batch_commit(pWrkrData->pipe);
	if (pWrkrData->renamed)
		__atomic_fetch_add(&pData->topics_renamed, pWrkrData->renamed, __ATOMIC_RELAXED);
	__atomic_fetch_add(&pData->bytes_sent, pWrkrData->batch.data.len, __ATOMIC_RELAXED);
	/* a batch whose records are all held by the joiner sent nothing and
	 * proves nothing about the collector */
	if (pWrkrData->batch.n > 0)
		delivery_succeeded(&pWrkrData->dw);
finalize_it:
	RETiRet;
}

/* The joiner's lock is held from the start of a batch to its commit or
 * rollback: a worker cancelled there would leave the lock held and the
 * joiner half-way (and the shutdown flush would wait forever), besides the
 * transports' locks (see NO_CANCEL_BEGIN). */
BEGINcommitTransaction
	int cancel_state;
CODESTARTcommitTransaction
	NO_CANCEL_BEGIN(cancel_state);
	iRet = deliver_batch(pWrkrData, pParams, nParams);
	NO_CANCEL_END(cancel_state);
ENDcommitTransaction

BEGINdoHUP
CODESTARTdoHUP
	/* held events are completed, as they are, and sent; names of users
	 * and groups are looked up again */
	__atomic_store_n(&pData->flush_requested, 1, __ATOMIC_RELEASE);
	if (pData->enricher != NULL)
		enrich_clear_cache(pData->enricher);
	filter_reload(pData);
	/* ... by the join timer now, or by the next batch if it comes first */
	join_timer_kick(__atomic_load_n(&pData->jtimer, __ATOMIC_ACQUIRE));
ENDdoHUP

BEGINdoHUPWrkr
CODESTARTdoHUPWrkr
	/* reopen the connection (new address, new peer, tls: the certificate
	 * files read again) before the next batch. rsyslog calls this from its
	 * HUP thread, concurrently with the worker: the worker does it. */
	__atomic_store_n(&pWrkrData->hup, 1, __ATOMIC_RELEASE);
ENDdoHUPWrkr

/* a value the settings table refuses, as ERR says */
static rsRetVal bad_value(const setting_t *st, const char *err)
{
	parser_errmsg("omauditfwd: parameter '%s': %s", st->name, err);
	return RS_RET_CONF_PARAM_INVLD;
}

/* V against its row ST of the settings table: a number in its range (none
 * wraps in the field it goes to), each text not blank and one of its words */
static rsRetVal check_param(const setting_t *st, struct cnfparamvals *v)
{
	char err[SETTINGS_ERR_MAX], *s;
	int i, rc = 0;
	DEFiRet;

	if (v->val.datatype == 'N')
		rc = settings_check_number(st, v->val.d.n, err, sizeof(err));
	for (i = 0; v->val.datatype == 'A' && rc == 0 && i < v->val.d.ar->nmemb; i++) {
		CHKmalloc(s = es_str2cstr(v->val.d.ar->arr[i], NULL));
		rc = settings_check_text(st, s, err, sizeof(err));
		free(s);
	}
	if (v->val.datatype == 'S') {
		CHKmalloc(s = es_str2cstr(v->val.d.estr, NULL));
		rc = settings_check_text(st, s, err, sizeof(err));
		free(s);
	}
	if (rc != 0)
		ABORT_FINALIZE(bad_value(st, err));
finalize_it:
	RETiRet;
}

/* a number (checked against the table) into its field */
static void set_number(instanceData *pData, setting_id_t id, long long n)
{
	switch (id) {
	case SET_JOIN: pData->join = (int)n; break;
	case SET_JOIN_TIMEOUT: pData->jconf.timeout_ms = (unsigned)n; break;
	case SET_JOIN_MAXPENDING: pData->jconf.max_pending = (size_t)n; break;
	case SET_JOIN_MAXRECORDS: pData->jconf.max_records = (size_t)n; break;
	case SET_JOIN_MAXBYTES: pData->jconf.max_bytes = (size_t)n; break;
	case SET_ENRICH: pData->enrich = (int)n; break;
	case SET_ENRICH_HOSTNAME: pData->pconf.attribute_host = (int)n; break;
	case SET_TRUSTED: pData->pconf.trusted = (int)n; break;
	case SET_DYNA_TOPIC: pData->dyna_topic = (int)n; break;
	case SET_DYNA_KEY: pData->dyna_key = (int)n; break;
	case SET_MAX_MESSAGE_SIZE: pData->max_message_size = n; break;
	case SET_ANCESTRY: pData->ancestry = (int)n; break;
	case SET_ANCESTRY_DEPTH: pData->aconf.depth = (unsigned)n; break;
	case SET_ANCESTRY_MAXPROCS: pData->aconf.cap = (size_t)n; break;
	case SET_ATTACK: pData->pconf.attack = (int)n; break;
	default:
		if (settings_store_number(&pData->tconf, id, n) != 0)
			DBGPRINTF("omauditfwd: program error, unhandled number '%d'\n", (int)id);
	}
}

/* target="..." or target=[...]: each entry a target transport_target_parse
 * takes */
static rsRetVal set_targets(instanceData *pData, struct cnfarray *ar)
{
	char host[256], err[256];
	size_t i;
	int port;
	DEFiRet;

	CHKiRet(array_strings(ar, &pData->targets, &pData->tconf.n_targets));
	if (pData->tconf.n_targets == 0) {
		parser_errmsg("omauditfwd: parameter 'target' must not be an empty list");
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	for (i = 0; i < pData->tconf.n_targets; i++) {
		if (transport_target_parse(pData->targets[i], host, sizeof(host), &port,
		                           err, sizeof(err)) != 0) {
			parser_errmsg("omauditfwd: parameter 'target': %s", err);
			ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
		}
	}
	CHKmalloc(pData->target = strdup(pData->targets[0]));
finalize_it:
	RETiRet;
}

/* an array (each entry checked against the table) into its owner */
static rsRetVal set_list(instanceData *pData, setting_id_t id, struct cnfarray *ar)
{
	size_t n;
	DEFiRet;

	switch (id) {
	case SET_TARGET: CHKiRet(set_targets(pData, ar)); break;
	case SET_BROKER:        /* one text: the entries joined */
		CHKiRet(array_joined(ar, &pData->ttext[id]));
		(void)settings_store_text(&pData->tconf, id, pData->ttext[id]);
		break;
	case SET_KAFKA_HEADER:
	case SET_CONF_PARAM:
	case SET_TOPIC_CONF_PARAM:
	case SET_TLS_PERMITTEDPEER:
		CHKiRet(array_strings(ar, &pData->tlist[id], &n));
		(void)settings_store_list(&pData->tconf, id, (const char *const *)pData->tlist[id],
		                          n);
		break;
	case SET_FILTER:
		CHKiRet(array_strings(ar, &pData->filter_rules, &n));
		pData->n_filter_rules = n;
		break;
	default: DBGPRINTF("omauditfwd: program error, unhandled list '%d'\n", (int)id);
	}
finalize_it:
	RETiRet;
}

/* where the text of setting ID is kept (owned by PDATA), or NULL when it is
 * parsed into a field instead */
static char **text_owner(instanceData *pData, setting_id_t id)
{
	switch (id) {
	case SET_TEMPLATE: return (char **)&pData->tplName;
	case SET_STATSNAME: return &pData->statsname;
	case SET_FILTER_FILE: return &pData->filter_file;
	case SET_ATTACK_MAPPING: return &pData->attack_mapping;
	case SET_SYSLOG_APPNAME: return &pData->app_name;
	default: return settings_in_transport(id) ? &pData->ttext[id] : NULL;
	}
}

/* a word the table accepted, parsed into its field (the parsers cannot
 * fail on it) */
static void set_word(instanceData *pData, setting_id_t id, const char *s)
{
	pipeline_conf_t *pc = &pData->pconf;

	switch (id) {
	case SET_TRANSPORT: pData->transport = transport_find(s); break;
	case SET_FORMAT: pc->format = format_find(s); break;
	case SET_UNPARSED: (void)unparsed_policy_parse(s, &pc->unparsed); break;
	case SET_SYSLOG_HEADER: (void)syslog_style_parse(s, &pc->header.style); break;
	case SET_SYSLOG_FACILITY: (void)syslog_facility_parse(s, &pc->header.facility); break;
	case SET_SYSLOG_SEVERITY: (void)syslog_severity_parse(s, &pc->header.severity); break;
	case SET_LEEF_VERSION: (void)format_leef_version_parse(s, &pc->fmt.leef_version); break;
	case SET_LEEF_DELIMITER: (void)format_leef_delim_parse(s, &pc->fmt.leef_delim); break;
	case SET_ENRICH_IDS: (void)enrich_ids_parse(s, &pData->econf.ids); break;
	default: DBGPRINTF("omauditfwd: program error, unhandled word '%d'\n", (int)id);
	}
}

/* apply action parameter ID (checked against the table first) to PDATA */
static rsRetVal set_param(instanceData *pData, setting_id_t id, struct cnfparamvals *v)
{
	char *s = NULL, **own;
	DEFiRet;

	CHKiRet(check_param(settings_get(id), v));
	pData->given[id] = 1;
	if (v->val.datatype == 'N') {
		set_number(pData, id, v->val.d.n);
		FINALIZE;
	}
	if (v->val.datatype == 'A') {
		CHKiRet(set_list(pData, id, v->val.d.ar));
		FINALIZE;
	}
	CHKmalloc(s = es_str2cstr(v->val.d.estr, NULL));
	if ((own = text_owner(pData, id)) != NULL) {
		free(*own);
		*own = s;
		s = NULL;
		(void)settings_store_text(&pData->tconf, id, *own);   /* tconf's, if any */
	} else {
		set_word(pData, id, s);
	}
finalize_it:
	free(s);
	RETiRet;
}

/* the strings PDATA owns, lent to the transport's configuration (which
 * copies what it keeps: see transport.h) */
static void lend_strings(instanceData *pData)
{
	transport_conf_t *c = &pData->tconf;

	c->target = pData->target;
	c->targets = (const char *const *)pData->targets;
	if (pData->app_name != NULL)
		pData->pconf.header.app_name = pData->app_name;
}

/* TLS is on: the transport always speaks it, or it is switched on */
static int uses_tls(const instanceData *pData)
{
	return transport_uses_tls(pData->transport, &pData->tconf);
}

/* TLS: the files not given fall back to rsyslog's global
 * DefaultNetstreamDriverCAFile/CertFile/KeyFile, as omfwd's do */
static rsRetVal tls_defaults(instanceData *pData)
{
	static const char *const names[] = { "DefaultNetstreamDriverCAFile",
	                                     "DefaultNetstreamDriverCertFile",
	                                     "DefaultNetstreamDriverKeyFile" };
	static const setting_id_t ids[] = { SET_TLS_CACERT, SET_TLS_MYCERT, SET_TLS_MYPRIVKEY };
	char **own[] = { &pData->ttext[ids[0]], &pData->ttext[ids[1]], &pData->ttext[ids[2]] };
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
		(void)settings_store_text(&pData->tconf, ids[i], *own[i]);
		DBGPRINTF("omauditfwd: tls: %s from global(%s)\n", *own[i], names[i]);
	}
finalize_it:
	RETiRet;
}

/* A warning about the configuration, given while it is parsed: logged as
 * rsyslog's parser warnings are and, in a check run (rsyslogd -N1, which
 * shows errors only), on stderr as the errors are, so that -N1 tells all. */
static void __attribute__((format(printf, 1, 2))) conf_warning(const char *fmt, ...)
{
	char text[OMAF_ERRSTR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	parser_warnmsg("%s", text);
	if (iConfigVerify)
		fprintf(stderr, "rsyslogd: warning: %s\n", text);
}

/* tls.authmode="anon" checks nothing: a permitted peer would be ignored
 * (an error), and the mode itself is worth a warning, both at load time so
 * that rsyslogd -N1 shows them */
static rsRetVal anon_checks(instanceData *pData)
{
	DEFiRet;

	if (pData->tconf.tls.authmode != TLS_AUTH_ANON)
		FINALIZE;
	if (pData->given[SET_TLS_PERMITTEDPEER]) {
		parser_errmsg("omauditfwd: parameter 'tls.permittedpeer' is ignored with "
		              "tls.authmode=\"anon\" (no certificate is checked): remove it, or "
		              "choose an authmode that checks the peer");
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	conf_warning("omauditfwd: tls.authmode=\"anon\": the collector's certificate is "
	             "not checked; anyone on the path can read and change the audit data");
finalize_it:
	RETiRet;
}

/* Parameter ST, given, applies to the transport and the format chosen
 * (the settings table says which), and needs TLS only when TLS is on: 0,
 * or -1 with the reason logged. */
static int param_applies(instanceData *pData, const setting_t *st)
{
	const char *tname = pData->transport->name;
	char tr[64];

	if (!settings_applies(st, tname)) {
		settings_transports_text(st, tr, sizeof(tr));
		parser_errmsg("omauditfwd: parameter '%s' applies to transport %s, not to "
		              "transport=\"%s\"", st->name, tr, tname);
		return -1;
	}
	if (st->format != NULL && strcmp(st->format, pData->pconf.format->name) != 0) {
		parser_errmsg("omauditfwd: parameter '%s' needs format=\"%s\"", st->name,
		              st->format);
		return -1;
	}
	if ((st->flags & SETTING_TLS) && !uses_tls(pData)) {
		parser_errmsg("omauditfwd: parameter '%s' needs tls=\"on\" with "
		              "transport=\"%s\"", st->name, tname);
		return -1;
	}
	return 0;
}

/* every parameter given applies: each one that does not is named */
static rsRetVal check_applies(instanceData *pData)
{
	int i, bad = 0;

	for (i = 0; i < OMAF_NPARAMS; i++)
		if (pData->given[i] && param_applies(pData, settings_get((setting_id_t)i)) != 0)
			bad = 1;
	return bad ? RS_RET_CONF_PARAM_INVLD : RS_RET_OK;
}

/* Where what cannot be delivered at shutdown is kept (rsyslog's work
 * directory), and whether the last shutdown left some (delivery.h). Called
 * by every worker, acted on by the first: global(workDirectory) is only
 * known once the whole configuration is loaded. */
static rsRetVal setup_spool(instanceData *pData)
{
	const uchar *dir = glbl.GetWorkDir(runConf);

	return delivery_setup_spool(&pData->dlv, (const char *)dir, time(NULL)) == 0 ?
	       RS_RET_OK : RS_RET_OUT_OF_MEMORY;
}

/* Kafka: where messages Kafka refuses for good are set aside (deadletter.h),
 * next to the spool in rsyslog's work directory, known only once the whole
 * configuration is loaded: the first worker sets it, before its transport
 * is made. */
static rsRetVal setup_deadletter(instanceData *pData)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	const uchar *dir;
	char path[PATH_MAX];
	DEFiRet;

	pthread_mutex_lock(&once);
	if (pData->deadletter_checked || !(pData->transport->caps & TRANSPORT_CAP_REFUSES))
		FINALIZE;
	pData->deadletter_checked = 1;
	dir = glbl.GetWorkDir(runConf);
	if (dir == NULL || *dir == '\0') {
		LogMsg(0, RS_RET_OK, LOG_WARNING, "omauditfwd[%s]: no global(workDirectory): a "
		       "message Kafka refuses for good (too large, invalid) has no dead-letter "
		       "file to go to and keeps the action suspended", pData->statsname);
		FINALIZE;
	}
	if (deadletter_path(path, sizeof(path), (const char *)dir, pData->statsname) != 0) {
		LogError(0, RS_RET_ERR, "omauditfwd[%s]: dead-letter file name too long "
		         "(workDirectory '%s'): a message Kafka refuses for good keeps the "
		         "action suspended", pData->statsname, dir);
		FINALIZE;
	}
	CHKmalloc(pData->deadletter_path = strdup(path));
	pData->tconf.deadletter = pData->deadletter_path;
finalize_it:
	pthread_mutex_unlock(&once);
	RETiRet;
}

/* the transport reduced or dead-lettered a message (told once per kind of
 * refusal, TRANSPORT_CAP_REFUSES) */
static void transport_notice(void *ctx, const char *text)
{
	const instanceData *pData = ctx;

	LogMsg(0, RS_RET_OK, LOG_WARNING, "omauditfwd[%s]: %s", pData->statsname, text);
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

/* One spool file per action, always: the spool file names of the module's
 * actions are claimed at load (delivery_claim), released by freeInstance;
 * the registry is the module's. */
static delivery_claims_t spool_claims = DELIVERY_CLAIMS_INIT;

static rsRetVal claim_spool(instanceData *pData)
{
	char err[DELIVERY_LOG_MAX], *chosen;

	switch (delivery_claim(&spool_claims, pData, pData->statsname, pData->where,
	                       pData->pconf.format->name, &chosen, err, sizeof(err))) {
	case DELIVERY_CLAIM_OK:
		break;
	case DELIVERY_CLAIM_REFUSED:
		parser_errmsg("%s", err);
		return RS_RET_CONF_PARAM_INVLD;
	default:
		return RS_RET_OUT_OF_MEMORY;
	}
	if (chosen != NULL)
		pData->statsname = chosen;
	delivery_identify(&pData->dlv, pData->statsname, pData->where, pData->transport->name,
	                  pData->pconf.format->name);
	return RS_RET_OK;
}

static void unclaim_spool(instanceData *pData)
{
	delivery_unclaim(&spool_claims, pData);
}

/* impstats: the joiner's counters and gauges, when joining */
static rsRetVal add_joiner_counters(instanceData *pData)
{
	DEFiRet;

	if (pData->joiner != NULL) {
		audit_joiner_stats_t *js = (audit_joiner_stats_t *)audit_joiner_counters(pData->joiner);
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"events.complete",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->events_complete));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"events.incomplete",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->events_incomplete));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"events.evicted",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->events_evicted));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"events.capped",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->events_capped));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"events.pending",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->pending));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"jointimer.events",
		                            ctrType_IntCtr, CTR_FLAG_NONE,
		                            (intctr_t *)&pData->jt_stats.events));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"jointimer.failed",
		                            ctrType_IntCtr, CTR_FLAG_NONE,
		                            (intctr_t *)&pData->jt_stats.failed));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"origins.held",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&js->origins));
	}
finalize_it:
	RETiRet;
}

/* impstats: the ancestry table's and the enricher's caches */
static rsRetVal add_enrich_counters(instanceData *pData)
{
	DEFiRet;

	if (pData->ancestry_table != NULL) {
		ancestry_stats_t *as = (ancestry_stats_t *)ancestry_stats(pData->ancestry_table);
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"ancestry.hits",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&as->hits));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"ancestry.misses",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&as->misses));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"ancestry.proc",
		                            ctrType_IntCtr, CTR_FLAG_NONE,
		                            (intctr_t *)&as->proc_reads));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"ancestry.evictions",
		                            ctrType_IntCtr, CTR_FLAG_NONE,
		                            (intctr_t *)&as->evictions));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"ancestry.size",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&as->size));
	}
	if (pData->enricher != NULL) {
		enrich_stats_t *es = (enrich_stats_t *)enrich_stats(pData->enricher);
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"idcache.hits",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&es->id_cache_hits));
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"idcache.misses",
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)&es->id_cache_misses));
	}
finalize_it:
	RETiRet;
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
		{ "records.untrusted", offsetof(pipeline_stats_t, untrusted) },
		{ "messages.sent", offsetof(pipeline_stats_t, messages_out) },
		{ "messages.reduced", offsetof(pipeline_stats_t, messages_reduced) },
		{ "bytes.cut", offsetof(pipeline_stats_t, bytes_cut) },
	};
	static const struct { const char *name; size_t off; } stream_ctrs[] = {
		{ "connects", offsetof(transport_stream_stats_t, connects) },
		{ "connects.failed", offsetof(transport_stream_stats_t, connect_failures) },
		{ "handshakes.failed", offsetof(transport_stream_stats_t, handshake_failures) },
		{ "failovers", offsetof(transport_stream_stats_t, failovers) },
		{ "resends", offsetof(transport_stream_stats_t, resends) },
		{ "resent.bytes", offsetof(transport_stream_stats_t, resent_bytes) },
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
	CHKiRet(add_joiner_counters(pData));
	for (i = 0; pData->sink != NULL && i < pData->transport->n_counters; i++)
		CHKiRet(statsobj.AddCounter(pData->statsobj,
		                            (const uchar *)pData->transport->counters[i].name,
		                            ctrType_IntCtr, CTR_FLAG_NONE, (intctr_t *)
		                            ((char *)pData->sink->st +
		                             pData->transport->counters[i].offset)));
	if (pData->dyna_topic)
		CHKiRet(statsobj.AddCounter(pData->statsobj, (const uchar *)"kafka.topic.renamed",
		                            ctrType_IntCtr, CTR_FLAG_NONE, &pData->topics_renamed));
	CHKiRet(add_enrich_counters(pData));
	CHKiRet(statsobj.ConstructFinalize(pData->statsobj));
finalize_it:
	RETiRet;
}

/* dynaTopic, dynaKey: 'topic' and 'key' name templates, rendered for each
 * message into its route (see message_route) */
static rsRetVal dyna_setup(instanceData *pData)
{
	DEFiRet;

	pData->ntpls = 1;
	if (pData->dyna_topic) {
		if (pData->ttext[SET_TOPIC] == NULL || *pData->ttext[SET_TOPIC] == '\0') {
			parser_errmsg("omauditfwd: parameter 'dynaTopic' needs 'topic': the name of "
			              "the template that gives each event's topic");
			ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
		}
		pData->topic_tpl = pData->ntpls++;
		/* the topic names a template: no topic of its own */
		(void)settings_store_text(&pData->tconf, SET_TOPIC, NULL);
		(void)settings_store_number(&pData->tconf, SET_DYNA_TOPIC, 1);
	}
	if (pData->dyna_key) {
		if (pData->ttext[SET_KEY] == NULL || *pData->ttext[SET_KEY] == '\0') {
			parser_errmsg("omauditfwd: parameter 'dynaKey' needs 'key': the name of "
			              "the template that gives each event's key");
			ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
		}
		pData->key_tpl = pData->ntpls++;
		(void)settings_store_text(&pData->tconf, SET_KEY, NULL);
	}
	/* a routed transport gets each message's route, if only for its host */
	pData->pconf.routes = pData->ntpls > 1 ||
	                      (pData->transport->caps & TRANSPORT_CAP_ROUTES) != 0;
finalize_it:
	RETiRet;
}

/* impstats for the rules of RS: one object, "<statsname>.filter", with
 * <rule>.kept, <rule>.dropped and <rule>.suppressed per rule */
static rsRetVal filter_stats_new(instanceData *pData, filter_rules_t *rs, statsobj_t **out)
{
	static const struct { const char *suffix; size_t off; } ctrs[] = {
		{ "kept", offsetof(filter_counters_t, kept) },
		{ "dropped", offsetof(filter_counters_t, dropped) },
		{ "suppressed", offsetof(filter_counters_t, suppressed) },
	};
	char name[FILTER_NAME_MAX + 320];
	statsobj_t *st = NULL;
	size_t i, k;
	DEFiRet;

	snprintf(name, sizeof(name), "%s.filter", pData->statsname);
	CHKiRet(statsobj.Construct(&st));
	CHKiRet(statsobj.SetName(st, (uchar *)name));
	CHKiRet(statsobj.SetOrigin(st, (uchar *)"omauditfwd"));
	for (i = 0; i < filter_rules_count(rs); i++)
		for (k = 0; k < sizeof(ctrs) / sizeof(ctrs[0]); k++) {
			snprintf(name, sizeof(name), "%s.%s", filter_rule_name(rs, i), ctrs[k].suffix);
			CHKiRet(statsobj.AddCounter(st, (const uchar *)name, ctrType_IntCtr,
			                            CTR_FLAG_NONE, (intctr_t *)((char *)
			                            filter_rule_counters(rs, i) + ctrs[k].off)));
		}
	CHKiRet(statsobj.ConstructFinalize(st));
	*out = st;
	st = NULL;
finalize_it:
	if (st != NULL)
		statsobj.Destruct(&st);
	RETiRet;
}

/* filter=[...] or filter.file: the rules are checked now, so a bad one
 * fails the configuration (rsyslogd -N1) naming the rule and the word */
static rsRetVal filter_setup(instanceData *pData)
{
	filter_rules_t *rs;
	char err[OMAF_ERRSTR_MAX];
	DEFiRet;

	if (pData->filter_rules == NULL && pData->filter_file == NULL)
		FINALIZE;
	if (pData->filter_rules != NULL && pData->filter_file != NULL) {
		parser_errmsg("omauditfwd: parameters 'filter' and 'filter.file': give the "
		              "rules in one or the other");
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	rs = pData->filter_file != NULL ?
	     filter_rules_load(pData->filter_file, err, sizeof(err)) :
	     filter_rules_parse((const char *const *)pData->filter_rules,
	                        pData->n_filter_rules, err, sizeof(err));
	if (rs == NULL) {
		parser_errmsg("omauditfwd: parameter '%s': %s",
		              pData->filter_file != NULL ? "filter.file" : "filter", err);
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	if ((pData->filter = filter_new(rs)) == NULL) {
		filter_rules_free(rs);
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	pData->pconf.filter = pData->filter;
finalize_it:
	RETiRet;
}

/* attack.mapping: loaded now, so a bad line fails the configuration */
static rsRetVal attack_setup(instanceData *pData)
{
	char err[OMAF_ERRSTR_MAX];
	DEFiRet;

	if (pData->attack_mapping == NULL)
		FINALIZE;
	if (!pData->pconf.attack) {
		parser_errmsg("omauditfwd: parameter 'attack.mapping' needs attack=\"on\"");
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	if ((pData->attack_map = attack_map_load(pData->attack_mapping, err,
	                                         sizeof(err))) == NULL) {
		parser_errmsg("omauditfwd: parameter 'attack.mapping': %s", err);
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	pData->pconf.attack_map = pData->attack_map;
finalize_it:
	RETiRet;
}

/* HUP: filter.file is read again. Rules that do not parse leave the rules
 * in force as they are, and say why; counts carry over by rule name. */
static void filter_reload(instanceData *pData)
{
	filter_rules_t *rs, *old = NULL;
	statsobj_t *st = NULL;
	char err[OMAF_ERRSTR_MAX];

	if (pData->filter_file == NULL || pData->filter == NULL)
		return;
	pthread_mutex_lock(&pData->filter_mu);
	if ((rs = filter_rules_load(pData->filter_file, err, sizeof(err))) == NULL) {
		LogError(0, RS_RET_CONF_PARAM_INVLD, "omauditfwd[%s]: HUP: filter.file not "
		         "reloaded, the %zu rules loaded before stay in force: %s",
		         pData->statsname, filter_rules_count(filter_rules(pData->filter)), err);
	} else if (filter_stats_new(pData, rs, &st) != RS_RET_OK) {
		LogError(0, RS_RET_ERR, "omauditfwd[%s]: HUP: filter.file not reloaded: its "
		         "statistics could not be set up", pData->statsname);
		filter_rules_free(rs);
	} else if (filter_swap(pData->filter, rs, &old) != 0) {
		LogError(0, RS_RET_OUT_OF_MEMORY, "omauditfwd[%s]: HUP: filter.file not "
		         "reloaded: out of memory", pData->statsname);
		statsobj.Destruct(&st);
		filter_rules_free(rs);
	} else {
		if (pData->filter_stats != NULL)
			statsobj.Destruct(&pData->filter_stats);
		pData->filter_stats = st;
		filter_rules_free(old);
		LogMsg(0, RS_RET_OK, LOG_INFO, "omauditfwd[%s]: HUP: %s reloaded, %zu filter "
		       "rules", pData->statsname, pData->filter_file, filter_rules_count(rs));
	}
	pthread_mutex_unlock(&pData->filter_mu);
}

/* the transport chosen, and what it can do, against the parameters given */
static rsRetVal check_transport(instanceData *pData)
{
	const transport_ops_t *t = pData->transport;
	DEFiRet;

	if (pData->target == NULL && (t->caps & TRANSPORT_CAP_NEEDS_TARGET)) {
		parser_errmsg("omauditfwd: parameter 'target' required but not specified "
		              "(transport=\"%s\")", t->name);
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	}
	if (pData->tconf.n_targets > 1 && !(t->caps & TRANSPORT_CAP_FAILOVER)) {
		parser_errmsg("omauditfwd: parameter 'target': one only with transport=\"%s\" "
		              "(several brokers go into 'broker')", t->name);
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	CHKiRet(check_applies(pData));
	if (pData->given[SET_ANCESTRY_DEPTH] || pData->given[SET_ANCESTRY_MAXPROCS]) {
		if (!pData->ancestry) {
			parser_errmsg("omauditfwd: parameters 'ancestry.depth' and "
			              "'ancestry.maxprocs' need ancestry=\"on\"");
			ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
		}
	}
	if (pData->pconf.fmt.leef_version == 1 && pData->pconf.fmt.leef_delim != '\t') {
		parser_errmsg("omauditfwd: parameter 'leef.delimiter': LEEF 1.0 "
		              "(leef.version=\"1.0\") separates attributes with TAB only");
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	if (uses_tls(pData)) {
		CHKiRet(tls_defaults(pData));
		CHKiRet(anon_checks(pData));
	}
finalize_it:
	RETiRet;
}

/* the transport's configuration, its hooks and counters, checked by the
 * transport itself now, at load time */
static rsRetVal setup_transport(instanceData *pData)
{
	const transport_ops_t *t = pData->transport;
	transport_t *probe = NULL;
	char errstr[OMAF_ERRSTR_MAX];
	DEFiRet;

	if (t->caps & TRANSPORT_CAP_STREAM_STATS)
		pData->tconf.stream_stats = &pData->sstats;
	if (t->stats_size > 0) {
		CHKmalloc(pData->sink = sink_new(t->stats_size));
		pData->tconf.stats = pData->sink->st;
	}
	if (t->caps & TRANSPORT_CAP_STOPPABLE)
		pData->tconf.should_stop = glbl.GetGlobalInputTermState;
	if (t->caps & TRANSPORT_CAP_REFUSES) {
		pData->tconf.notice = transport_notice;
		pData->tconf.notice_ctx = pData;
	}
	pData->pconf.max_message = pipeline_message_limit(pData->max_message_size,
	                                                  pData->transport, &pData->tconf);
	if (t->create(&probe, &pData->tconf, errstr, sizeof(errstr)) != TRANSPORT_OK) {
		parser_errmsg("omauditfwd: %s", errstr);
		ABORT_FINALIZE(RS_RET_CONF_PARAM_INVLD);
	}
	t->destroy(probe);
	if (pData->tconf.port == 0)
		pData->tconf.port = t->default_port;
	if (t->caps & TRANSPORT_CAP_NEEDS_TARGET)
		set_where(pData);
	else
		snprintf(pData->where, sizeof(pData->where), "%s:%s%s", t->name,
		         pData->dyna_topic ? "template:" : "", pData->ttext[SET_TOPIC]);
finalize_it:
	RETiRet;
}

/* OMAF_LINE_TEMPLATE in the configuration being loaded, once */
static rsRetVal line_template(void)
{
	char text[] = OMAF_LINE_TEMPLATE_TEXT;   /* tplAddLine's to read */
	uchar *p = (uchar *)text;
	DEFiRet;

	if (tplFind(loadConf, (char *)OMAF_LINE_TEMPLATE, (int)strlen(OMAF_LINE_TEMPLATE)) != NULL)
		FINALIZE;
	if (tplAddLine(loadConf, OMAF_LINE_TEMPLATE, &p) == NULL)
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
finalize_it:
	RETiRet;
}

BEGINnewActInst
	struct cnfparamvals *pvals;
	int i;
CODESTARTnewActInst
	if ((pvals = nvlstGetParams(lst, &actpblk, NULL)) == NULL)
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	CHKiRet(createInstance(&pData));
	for (i = 0; i < actpblk.nParams; ++i) {
		if (pvals[i].bUsed)
			CHKiRet(set_param(pData, (setting_id_t)i, &pvals[i]));
	}
	CHKiRet(check_transport(pData));
	lend_strings(pData);
	CHKiRet(dyna_setup(pData));
	CHKiRet(setup_transport(pData));
	if (pData->join) {
		CHKmalloc(pData->joiner = audit_joiner_new(&pData->jconf));
		pData->pconf.joiner = pData->joiner;
	}
	if (pData->enrich) {
		CHKmalloc(pData->enricher = enrich_new(&pData->econf));
		pData->pconf.enrich = pData->enricher;
	}
	CHKiRet(filter_setup(pData));
	CHKiRet(attack_setup(pData));
	if (pData->ancestry) {
		CHKmalloc(pData->ancestry_table = ancestry_new(&pData->aconf));
		pData->pconf.ancestry = pData->ancestry_table;
	}

	CHKiRet(claim_spool(pData));
	CHKiRet(setup_stats(pData));
	if (pData->filter != NULL)
		CHKiRet(filter_stats_new(pData, filter_rules(pData->filter), &pData->filter_stats));

	if (pData->tplName == NULL)
		CHKiRet(line_template());
	/* the line, then the topic's and the key's templates (rsyslog rejects
	 * the action at load when one of them does not exist) */
	CODE_STD_STRING_REQUESTnewActInst(pData->ntpls)
	CHKiRet(OMSRsetEntry(*ppOMSR, 0, (uchar *)strdup(pData->tplName != NULL ?
	                     (char *)pData->tplName : OMAF_LINE_TEMPLATE),
	                     OMSR_NO_RQD_TPL_OPTS));
	if (pData->topic_tpl)
		CHKiRet(OMSRsetEntry(*ppOMSR, pData->topic_tpl,
		                     (uchar *)strdup(pData->ttext[SET_TOPIC]), OMSR_NO_RQD_TPL_OPTS));
	if (pData->key_tpl)
		CHKiRet(OMSRsetEntry(*ppOMSR, pData->key_tpl,
		                     (uchar *)strdup(pData->ttext[SET_KEY]), OMSR_NO_RQD_TPL_OPTS));
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
	build_params();
	INITChkCoreFeature(bCoreSupportsBatching, CORE_FEATURE_BATCHING);
	if (!bCoreSupportsBatching) {
		LogError(0, NO_ERRCODE, "omauditfwd: rsyslog core too old (no batching)");
		ABORT_FINALIZE(RS_RET_ERR);
	}
ENDmodInit
