// The least CPU one AWS request to moto can cost a client on this machine.
//
// moto answers every request with `Connection: close`, so each request is socket, connect, send,
// a blocking read until EOF, close. This client does exactly that and nothing else (no signing,
// no parsing, no event loop), so its CPU per request is the kernel's share (TCP handshake and
// teardown, loopback delivery, the wake-ups) that any client of moto pays. bench/pipeline.sh
// prints it beside Pismo's own CPU per event.
//
// PAUSE_MS spaces the requests out. A request after an idle gap costs more than one in a tight
// loop (the CPU has gone idle, caches have gone cold): on this VM about twice as much when nothing
// else runs. Deliver's shard polls are spaced like that, so the pipeline benchmark measures this
// paced floor too, while the pipeline runs.
//
// Usage: moto_request_floor PORT [REQUESTS] [PAUSE_MS]   -> "floor_us_per_request user=U sys=S total=T"
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static const char request[] =
    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
    "X-Amz-Target: AmazonSQS.ListQueues\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=host, Signature=0\r\nContent-Length: 2\r\n\r\n{}";

static double micros(struct timeval t) { return t.tv_sec * 1e6 + t.tv_usec; }

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PORT [REQUESTS] [PAUSE_MS]\n", argv[0]); return 2; }
    int port = atoi(argv[1]), requests = argc > 2 ? atoi(argv[2]) : 500, pause_ms = argc > 3 ? atoi(argv[3]) : 0;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char buffer[16384];
    for (int i = 0; i < requests; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); return 1; }
        if (write(fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1)) { perror("write"); return 1; }
        while (read(fd, buffer, sizeof buffer) > 0) {}
        close(fd);
        if (pause_ms > 0) usleep(pause_ms * 1000);
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double user = micros(usage.ru_utime) / requests, sys = micros(usage.ru_stime) / requests;
    printf("floor_us_per_request user=%.0f sys=%.0f total=%.0f\n", user, sys, user + sys);
    return 0;
}
