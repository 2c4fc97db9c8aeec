/*
 * keepalive_pcap: the smallest libpcap binding `keepalive live` needs, written against N-API.
 *
 *   new Capture(device, filter, snaplen, bufferBytes, buf, meta, onPacket, onError)
 *
 * opens `device` (promiscuous, immediate mode, nanosecond timestamps when the kernel grants them),
 * sets the BPF `filter`, and watches libpcap's selectable fd with a uv_poll handle on Node's loop.
 * For each packet the bytes are copied into `buf` (a Buffer) and meta[0..3] (a Float64Array) are
 * set to the kernel timestamp's seconds, its nanoseconds, the bytes copied and the original length;
 * then onPacket() is called with no arguments. Nothing is allocated on the JS heap per packet.
 * If libpcap fails while capturing (the interface went away), polling stops and onError(message)
 * is called once; the caller still calls close().
 *
 * Instance properties: datalink (DLT number), datalinkName, nanosecond (boolean), warning (libpcap's
 * activation warning or null). Methods: stats() -> { received, dropped, ifdropped } (pcap_stats;
 * after close(), the counts taken at close), close() (idempotent; safe inside onPacket).
 *
 * devices() lists what pcap_findalldevs finds: [{ name, description?, addresses: [{ addr, netmask?,
 * broadaddr?, dstaddr? }] (IPv4 and IPv6 only), flags? ('PCAP_IF_LOOPBACK') }].
 *
 * Errors are thrown as JS Errors whose message is libpcap's and whose `code` says which step
 * failed: PCAP_NO_SUCH_DEVICE, PCAP_PERM_DENIED, PCAP_FILTER, or PCAP_ERROR for the rest.
 */
#include <node_api.h>
#include <uv.h>
#include <pcap/pcap.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

/* Packets handled per poll wake-up before yielding to the rest of the event loop. */
#define DISPATCH_BUDGET 4096

typedef struct capture {
  napi_env env;
  pcap_t *pcap;
  uv_poll_t poll;
  int poll_init;     /* uv_poll_init succeeded, so uv_close must run before the memory goes */
  int poll_stopped;  /* uv_poll_stop called */
  int poll_closed;   /* the close callback ran */
  int finalized;     /* the JS object is gone */
  int in_callback;   /* inside on_readable: releasing must wait until its scopes are closed */
  int close_pending; /* close() was called from onPacket or onError */
  int js_failed;     /* onPacket threw: stop delivering */
  int hook_added;
  int have_last;
  int nano;          /* libpcap stamps in nanoseconds */
  struct pcap_stat last;
  unsigned char *buf;
  size_t buf_len;
  double *meta;
  napi_value on_packet_now; /* valid only while dispatching, inside its handle scope */
  napi_ref self, buf_ref, meta_ref, on_packet, on_error;
  napi_async_context async_ctx;
} capture;

static void maybe_free(capture *c) {
  if (c->finalized && (!c->poll_init || c->poll_closed)) free(c);
}

static void on_poll_closed(uv_handle_t *h) {
  capture *c = (capture *)h->data;
  c->poll_closed = 1;
  maybe_free(c);
}

static void stop_poll(capture *c) {
  if (c->poll_init && !c->poll_stopped) {
    uv_poll_stop(&c->poll);
    c->poll_stopped = 1;
  }
}

static void close_poll(capture *c) {
  stop_poll(c);
  if (c->poll_init && !uv_is_closing((uv_handle_t *)&c->poll)) uv_close((uv_handle_t *)&c->poll, on_poll_closed);
}

static void delete_ref(napi_env env, napi_ref *r) {
  if (*r != NULL) {
    napi_delete_reference(env, *r);
    *r = NULL;
  }
}

static void env_cleanup(void *arg);

/* Everything close() does; must not run inside on_readable (pcap_dispatch, the callback scope). */
static void release(capture *c, int from_js) {
  napi_env env = c->env;
  if (c->pcap != NULL) {
    struct pcap_stat s;
    if (pcap_stats(c->pcap, &s) == 0) {
      c->last = s;
      c->have_last = 1;
    }
    pcap_close(c->pcap);
    c->pcap = NULL;
  }
  close_poll(c);
  if (c->hook_added) {
    napi_remove_env_cleanup_hook(env, env_cleanup, c);
    c->hook_added = 0;
  }
  if (!from_js) return; /* teardown: leave the references to the finalizers */
  delete_ref(env, &c->buf_ref);
  delete_ref(env, &c->meta_ref);
  delete_ref(env, &c->on_packet);
  delete_ref(env, &c->on_error);
  if (c->async_ctx != NULL) {
    napi_async_destroy(env, c->async_ctx);
    c->async_ctx = NULL;
  }
  /* Last: the object may now be collected. */
  delete_ref(env, &c->self);
}

/* The environment is going away with the capture still open (process.exit() mid-capture). */
static void env_cleanup(void *arg) {
  capture *c = (capture *)arg;
  c->hook_added = 0;
  if (c->pcap != NULL) {
    pcap_close(c->pcap);
    c->pcap = NULL;
  }
  close_poll(c);
}

static void finalize(napi_env env, void *data, void *hint) {
  capture *c = (capture *)data;
  if (c->pcap != NULL) {
    pcap_close(c->pcap);
    c->pcap = NULL;
  }
  if (c->hook_added) {
    napi_remove_env_cleanup_hook(env, env_cleanup, c);
    c->hook_added = 0;
  }
  close_poll(c);
  c->finalized = 1;
  maybe_free(c);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  capture *c = (capture *)user;
  if (c->js_failed || c->close_pending) return;
  size_t n = h->caplen < c->buf_len ? h->caplen : c->buf_len;
  memcpy(c->buf, bytes, n);
  c->meta[0] = (double)h->ts.tv_sec;
  /* With nanosecond precision libpcap puts nanoseconds in tv_usec. */
  c->meta[1] = (double)h->ts.tv_usec * (c->nano ? 1.0 : 1000.0);
  c->meta[2] = (double)n;
  c->meta[3] = (double)h->len;
  napi_env env = c->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value recv, result;
  napi_get_undefined(env, &recv);
  if (napi_call_function(env, recv, c->on_packet_now, 0, NULL, &result) != napi_ok) {
    c->js_failed = 1;
    if (c->pcap != NULL) pcap_breakloop(c->pcap);
  }
  napi_close_handle_scope(env, scope);
}

static void call_on_error(capture *c, const char *message) {
  napi_env env = c->env;
  napi_value fn, recv, arg, result;
  if (c->on_error == NULL || napi_get_reference_value(env, c->on_error, &fn) != napi_ok || fn == NULL) return;
  napi_get_undefined(env, &recv);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &arg);
  if (napi_call_function(env, recv, fn, 1, &arg, &result) != napi_ok) c->js_failed = 1;
}

static void on_readable(uv_poll_t *h, int status, int events) {
  capture *c = (capture *)h->data;
  napi_env env = c->env;
  if (c->pcap == NULL) return;
  napi_handle_scope hscope;
  if (napi_open_handle_scope(env, &hscope) != napi_ok) return;
  c->in_callback = 1;
  napi_value resource;
  napi_callback_scope cscope = NULL;
  napi_create_object(env, &resource);
  /* A callback scope runs process.nextTick and promise jobs when it closes, as any I/O callback. */
  napi_open_callback_scope(env, resource, c->async_ctx, &cscope);

  char failure[PCAP_ERRBUF_SIZE + 64];
  failure[0] = '\0';
  /* On a poll error too: libpcap reads the socket's error and says what happened (the interface
   * went down, disappeared, ...), which beats libuv's EBADF for POLLERR. */
  if (napi_get_reference_value(env, c->on_packet, &c->on_packet_now) == napi_ok && c->on_packet_now != NULL) {
    int total = 0;
    while (total < DISPATCH_BUDGET && !c->js_failed && !c->close_pending) {
      int n = pcap_dispatch(c->pcap, DISPATCH_BUDGET - total, on_packet, (u_char *)c);
      if (n == PCAP_ERROR_BREAK || n == 0) break;
      if (n < 0) {
        snprintf(failure, sizeof failure, "%s", pcap_geterr(c->pcap));
        break;
      }
      total += n;
    }
    c->on_packet_now = NULL;
  }
  if (status < 0 && failure[0] == '\0') snprintf(failure, sizeof failure, "poll: %s", uv_strerror(status));

  if (c->js_failed) {
    /* onPacket threw: stop capturing and let Node report it as an uncaught exception. */
    napi_value err;
    stop_poll(c);
    if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
  } else if (failure[0] != '\0' && !c->close_pending) {
    stop_poll(c);
    call_on_error(c, failure);
    if (c->js_failed) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  if (cscope != NULL) napi_close_callback_scope(env, cscope);
  c->in_callback = 0;
  if (c->close_pending) {
    c->close_pending = 0;
    release(c, 1);
  }
  napi_close_handle_scope(env, hscope);
}

/* ---- errors ---- */

static napi_value throw_error(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

static napi_value throw_pcap_status(napi_env env, pcap_t *p, int status) {
  const char *code = "PCAP_ERROR";
  if (status == PCAP_ERROR_NO_SUCH_DEVICE) code = "PCAP_NO_SUCH_DEVICE";
  else if (status == PCAP_ERROR_PERM_DENIED || status == PCAP_ERROR_PROMISC_PERM_DENIED) code = "PCAP_PERM_DENIED";
  const char *detail = pcap_geterr(p);
  char message[PCAP_ERRBUF_SIZE + 128];
  /* For these statuses libpcap may leave the error text empty or give only the detail. */
  if (detail == NULL || detail[0] == '\0') snprintf(message, sizeof message, "%s", pcap_statustostr(status));
  else if (status == PCAP_ERROR || strstr(detail, pcap_statustostr(status)) != NULL) snprintf(message, sizeof message, "%s", detail);
  else snprintf(message, sizeof message, "%s: %s", pcap_statustostr(status), detail);
  return throw_error(env, code, message);
}

/* ---- argument helpers ---- */

static int get_string(napi_env env, napi_value v, char *out, size_t size, const char *what) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, out, size, &len) != napi_ok) {
    char m[96];
    snprintf(m, sizeof m, "%s must be a string", what);
    napi_throw_type_error(env, NULL, m);
    return 0;
  }
  if (len + 1 >= size) {
    char m[96];
    snprintf(m, sizeof m, "%s is too long", what);
    napi_throw_range_error(env, NULL, m);
    return 0;
  }
  return 1;
}

static int get_int(napi_env env, napi_value v, int32_t *out, const char *what) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    char m[96];
    snprintf(m, sizeof m, "%s must be a number", what);
    napi_throw_type_error(env, NULL, m);
    return 0;
  }
  return 1;
}

static int is_function(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_function;
}

static void set_named(napi_env env, napi_value obj, const char *name, napi_value v) {
  napi_set_named_property(env, obj, name, v);
}

/* ---- the class ---- */

#define FILTER_MAX 8192

static napi_value capture_new(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8], self;
  if (napi_get_cb_info(env, info, &argc, argv, &self, NULL) != napi_ok) return NULL;
  if (argc < 8) return throw_error(env, NULL, "Capture(device, filter, snaplen, bufferBytes, buf, meta, onPacket, onError)");

  char device[256];
  char *filter = malloc(FILTER_MAX);
  if (filter == NULL) return throw_error(env, NULL, "out of memory");
  int32_t snaplen, buffer_bytes;
  if (!get_string(env, argv[0], device, sizeof device, "device") ||
      !get_string(env, argv[1], filter, FILTER_MAX, "filter") ||
      !get_int(env, argv[2], &snaplen, "snaplen") || !get_int(env, argv[3], &buffer_bytes, "bufferBytes")) {
    free(filter);
    return NULL;
  }
  bool is_buf = false;
  void *buf_data = NULL;
  size_t buf_len = 0;
  napi_typedarray_type ta_type;
  size_t ta_len = 0;
  void *ta_data = NULL;
  bool is_ta = false;
  napi_is_buffer(env, argv[4], &is_buf);
  napi_is_typedarray(env, argv[5], &is_ta);
  if (!is_buf || napi_get_buffer_info(env, argv[4], &buf_data, &buf_len) != napi_ok || buf_len == 0) {
    free(filter);
    napi_throw_type_error(env, NULL, "buf must be a non-empty Buffer");
    return NULL;
  }
  if (!is_ta || napi_get_typedarray_info(env, argv[5], &ta_type, &ta_len, &ta_data, NULL, NULL) != napi_ok ||
      ta_type != napi_float64_array || ta_len < 4) {
    free(filter);
    napi_throw_type_error(env, NULL, "meta must be a Float64Array of at least 4 elements");
    return NULL;
  }
  if (!is_function(env, argv[6]) || !is_function(env, argv[7])) {
    free(filter);
    napi_throw_type_error(env, NULL, "onPacket and onError must be functions");
    return NULL;
  }

  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  pcap_t *p = pcap_create(device, errbuf);
  if (p == NULL) {
    free(filter);
    return throw_error(env, "PCAP_ERROR", errbuf);
  }
  int status;
  if ((status = pcap_set_snaplen(p, snaplen)) != 0 || (status = pcap_set_promisc(p, 1)) != 0 ||
      (status = pcap_set_immediate_mode(p, 1)) != 0 || (status = pcap_set_buffer_size(p, buffer_bytes)) != 0) {
    free(filter);
    throw_pcap_status(env, p, status);
    pcap_close(p);
    return NULL;
  }
  /* Nanoseconds when the platform can; otherwise libpcap keeps microseconds. */
  int nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
  status = pcap_activate(p);
  if (status < 0) {
    free(filter);
    throw_pcap_status(env, p, status);
    pcap_close(p);
    return NULL;
  }
  char warning[PCAP_ERRBUF_SIZE + 64];
  warning[0] = '\0';
  if (status > 0) {
    const char *d = pcap_geterr(p);
    snprintf(warning, sizeof warning, "%s%s%s", pcap_statustostr(status), d && d[0] ? ": " : "", d ? d : "");
  }
  nano = nano && pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;

  struct bpf_program prog;
  if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
    free(filter);
    throw_error(env, "PCAP_FILTER", pcap_geterr(p));
    pcap_close(p);
    return NULL;
  }
  free(filter);
  status = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (status != 0) {
    throw_error(env, "PCAP_FILTER", pcap_geterr(p));
    pcap_close(p);
    return NULL;
  }
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    throw_error(env, "PCAP_ERROR", errbuf);
    pcap_close(p);
    return NULL;
  }
  int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    throw_error(env, "PCAP_ERROR", "this device has no selectable file descriptor");
    pcap_close(p);
    return NULL;
  }
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL) {
    pcap_close(p);
    return throw_error(env, NULL, "no event loop");
  }

  capture *c = calloc(1, sizeof *c);
  if (c == NULL) {
    pcap_close(p);
    return throw_error(env, NULL, "out of memory");
  }
  c->env = env;
  c->pcap = p;
  c->buf = buf_data;
  c->buf_len = buf_len;
  c->meta = ta_data;
  c->nano = nano;
  if (napi_wrap(env, self, c, finalize, NULL, NULL) != napi_ok) {
    pcap_close(p);
    free(c);
    return throw_error(env, NULL, "cannot wrap the capture object");
  }
  /* From here on the finalizer owns c. */
  napi_create_reference(env, argv[4], 1, &c->buf_ref);
  napi_create_reference(env, argv[5], 1, &c->meta_ref);
  napi_create_reference(env, argv[6], 1, &c->on_packet);
  napi_create_reference(env, argv[7], 1, &c->on_error);
  napi_value name;
  napi_create_string_utf8(env, "keepalive:pcap", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &c->async_ctx);

  int rc = uv_poll_init(loop, &c->poll, fd);
  if (rc != 0) {
    release(c, 1);
    return throw_error(env, "PCAP_ERROR", uv_strerror(rc));
  }
  c->poll_init = 1;
  c->poll.data = c;
  rc = uv_poll_start(&c->poll, UV_READABLE, on_readable);
  if (rc != 0) {
    release(c, 1);
    return throw_error(env, "PCAP_ERROR", uv_strerror(rc));
  }
  /* Open captures stay alive until close(), whatever the caller keeps. */
  napi_create_reference(env, self, 1, &c->self);
  napi_add_env_cleanup_hook(env, env_cleanup, c);
  c->hook_added = 1;

  napi_value v;
  napi_create_int32(env, pcap_datalink(p), &v);
  set_named(env, self, "datalink", v);
  const char *dl = pcap_datalink_val_to_name(pcap_datalink(p));
  if (dl != NULL) napi_create_string_utf8(env, dl, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  set_named(env, self, "datalinkName", v);
  napi_get_boolean(env, nano, &v);
  set_named(env, self, "nanosecond", v);
  if (warning[0] != '\0') napi_create_string_utf8(env, warning, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  set_named(env, self, "warning", v);
  return self;
}

static capture *unwrap_this(napi_env env, napi_callback_info info) {
  napi_value self;
  void *data = NULL;
  size_t argc = 0;
  if (napi_get_cb_info(env, info, &argc, NULL, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "not a Capture");
    return NULL;
  }
  return (capture *)data;
}

static napi_value capture_stats(napi_env env, napi_callback_info info) {
  capture *c = unwrap_this(env, info);
  if (c == NULL) return NULL;
  struct pcap_stat s;
  if (c->pcap != NULL && !c->close_pending) {
    if (pcap_stats(c->pcap, &s) != 0) return throw_error(env, "PCAP_ERROR", pcap_geterr(c->pcap));
    c->last = s;
    c->have_last = 1;
  } else if (c->have_last) {
    s = c->last;
  } else {
    return throw_error(env, "PCAP_ERROR", "no statistics: the capture is closed");
  }
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_uint32(env, s.ps_recv, &v);
  set_named(env, obj, "received", v);
  napi_create_uint32(env, s.ps_drop, &v);
  set_named(env, obj, "dropped", v);
  napi_create_uint32(env, s.ps_ifdrop, &v);
  set_named(env, obj, "ifdropped", v);
  return obj;
}

static napi_value capture_close(napi_env env, napi_callback_info info) {
  capture *c = unwrap_this(env, info);
  if (c == NULL) return NULL;
  if (c->in_callback) {
    /* Called from onPacket or onError: stop now, free libpcap once pcap_dispatch has returned
     * and the callback scope is closed. */
    if (c->pcap != NULL && !c->close_pending) {
      struct pcap_stat s;
      if (pcap_stats(c->pcap, &s) == 0) {
        c->last = s;
        c->have_last = 1;
      }
      c->close_pending = 1;
      pcap_breakloop(c->pcap);
      stop_poll(c);
    }
  } else {
    release(c, 1);
  }
  return NULL;
}

/* ---- devices() ---- */

/* Sets obj[name] to the address as text when it is IPv4 or IPv6; returns whether it did. */
static int set_address(napi_env env, napi_value obj, const char *name, const struct sockaddr *sa) {
  char text[INET6_ADDRSTRLEN];
  const char *ok = NULL;
  if (sa == NULL) return 0;
  if (sa->sa_family == AF_INET) ok = inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, text, sizeof text);
  else if (sa->sa_family == AF_INET6) ok = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, text, sizeof text);
  if (ok == NULL) return 0;
  napi_value v;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  set_named(env, obj, name, v);
  return 1;
}

static napi_value devices(napi_env env, napi_callback_info info) {
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_if_t *all = NULL;
  errbuf[0] = '\0';
  if (pcap_findalldevs(&all, errbuf) != 0) return throw_error(env, "PCAP_ERROR", errbuf);
  napi_value list, v;
  napi_create_array(env, &list);
  uint32_t i = 0;
  for (pcap_if_t *d = all; d != NULL; d = d->next) {
    napi_value dev, addrs;
    napi_create_object(env, &dev);
    napi_create_string_utf8(env, d->name, NAPI_AUTO_LENGTH, &v);
    set_named(env, dev, "name", v);
    if (d->description != NULL) {
      napi_create_string_utf8(env, d->description, NAPI_AUTO_LENGTH, &v);
      set_named(env, dev, "description", v);
    }
    napi_create_array(env, &addrs);
    uint32_t j = 0;
    for (pcap_addr_t *a = d->addresses; a != NULL; a = a->next) {
      napi_value addr;
      napi_create_object(env, &addr);
      if (!set_address(env, addr, "addr", a->addr)) continue;
      set_address(env, addr, "netmask", a->netmask);
      set_address(env, addr, "broadaddr", a->broadaddr);
      set_address(env, addr, "dstaddr", a->dstaddr);
      napi_set_element(env, addrs, j++, addr);
    }
    set_named(env, dev, "addresses", addrs);
    if (d->flags & PCAP_IF_LOOPBACK) {
      napi_create_string_utf8(env, "PCAP_IF_LOOPBACK", NAPI_AUTO_LENGTH, &v);
      set_named(env, dev, "flags", v);
    }
    napi_set_element(env, list, i++, dev);
  }
  pcap_freealldevs(all);
  return list;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    { "stats", NULL, capture_stats, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, capture_close, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_value cls, v;
  if (napi_define_class(env, "Capture", NAPI_AUTO_LENGTH, capture_new, NULL, 2, methods, &cls) != napi_ok) return NULL;
  set_named(env, exports, "Capture", cls);
  napi_create_function(env, "devices", NAPI_AUTO_LENGTH, devices, NULL, &v);
  set_named(env, exports, "devices", v);
  napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &v);
  set_named(env, exports, "libpcapVersion", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
