// The least CPU one webhook POST can cost a client on this machine, at the pipeline's pace.
//
// BURST keep-alive connections to a `pismo sink`. Each round writes one small JSON POST on every
// connection, reads every response (blocking), then pauses: deliver works the same way, posting a
// page of stream records at once, one connection per client, a page every poll. No parsing beyond
// finding each response's end, no event loop. At the pipeline's pace the CPU per request is mostly
// the kernel's cost of sleeping and being woken, which any webhook client pays. bench/pipeline.sh
// runs it while the pipeline runs (against a second sink, so the measured sink's log stays the
// pipeline's).
//
// Usage: webhook_post_floor PORT ROUNDS BURST PAUSE_US   -> "floor_us_per_request user=U sys=S total=T"
#define _GNU_SOURCE  // strcasestr
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static double micros(struct timeval t) { return t.tv_sec * 1e6 + t.tv_usec; }

// Reads one whole response: headers up to the blank line, then Content-Length body bytes.
static int read_response(int fd, char *buffer, int size) {
    int got = 0;
    char *end = NULL;
    long body = -1;
    for (;;) {
        if (end && got >= (end - buffer) + 4 + body) return got;
        int n = read(fd, buffer + got, size - 1 - got);
        if (n <= 0) return -1;
        got += n;
        buffer[got] = 0;
        if (!end && (end = strstr(buffer, "\r\n\r\n")) != NULL) {
            char *field = strcasestr(buffer, "\r\ncontent-length:");
            body = field && field < end ? strtol(field + 17, NULL, 10) : 0;
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s PORT ROUNDS BURST PAUSE_US\n", argv[0]); return 2; }
    int port = atoi(argv[1]), rounds = atoi(argv[2]), burst = atoi(argv[3]), pause_us = atoi(argv[4]);
    if (rounds < 1 || burst < 1 || burst > 64) { fprintf(stderr, "ROUNDS >= 1, BURST 1-64\n"); return 2; }
    char body[400];
    memset(body, 'x', sizeof body);
    body[0] = body[sizeof body - 1] = '"';
    char request[1024];
    int length = snprintf(request, sizeof request,
                          "POST /floor HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Content-Length: %zu\r\n\r\n%.*s", sizeof body, (int)sizeof body, body);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fds[64];
    for (int c = 0; c < burst; c++) {
        int one = 1;
        fds[c] = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(fds[c], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (fds[c] < 0 || connect(fds[c], (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); return 1; }
    }
    char buffer[4096];
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    for (int i = 0; i < rounds; i++) {
        for (int c = 0; c < burst; c++)
            if (write(fds[c], request, length) != length) { perror("write"); return 1; }
        for (int c = 0; c < burst; c++)
            if (read_response(fds[c], buffer, sizeof buffer) < 0) { perror("read"); return 1; }
        if (pause_us > 0) usleep(pause_us);
    }
    int requests = rounds * burst;
    getrusage(RUSAGE_SELF, &after);
    double user = (micros(after.ru_utime) - micros(before.ru_utime)) / requests;
    double sys = (micros(after.ru_stime) - micros(before.ru_stime)) / requests;
    printf("floor_us_per_request user=%.0f sys=%.0f total=%.0f\n", user, sys, user + sys);
    for (int c = 0; c < burst; c++) close(fds[c]);
    return 0;
}
