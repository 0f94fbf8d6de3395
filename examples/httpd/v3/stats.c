/* stats.c — server-wide counters and the /stats page. */
#include "httpd.h"

struct stats stats;

void stats_count_response(int status) {
    if (status >= 200 && status < 300)
        stats.responses_2xx++;
    else if (status >= 400 && status < 500)
        stats.responses_4xx++;
    else if (status >= 500)
        stats.responses_5xx++;
}

void stats_render(struct buffer *out) {
    buf_appendf(out,
                "server: " HTTPD_SERVER_NAME "\n"
                "uptime_seconds: %lld\n"
                "connections_open: %d\n"
                "connections_accepted: %lld\n"
                "requests_total: %lld\n"
                "responses_2xx: %lld\n"
                "responses_4xx: %lld\n"
                "responses_5xx: %lld\n"
                "bytes_sent: %lld\n",
                (mstime() - stats.started_ms) / 1000, server_connection_count(),
                stats.connections_accepted, stats.requests_total, stats.responses_2xx,
                stats.responses_4xx, stats.responses_5xx, stats.bytes_sent);
}
