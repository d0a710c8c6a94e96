import Dispatch
import Foundation

/// Turns SIGTERM and SIGINT into a `ShutdownSignal` trigger. The default dispositions are ignored so
/// the process is not killed mid-flight; the services then drain and exit 0 by themselves.
/// A second signal while draining exits at once (the operator insisted).
public enum SignalHandling {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    public static func install(_ shutdown: ShutdownSignal, onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) {
        // A parent may have started us with these signals blocked (Foundation's Process does):
        // unblock them, or SIGTERM would sit pending forever and the container would be SIGKILLed.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if shutdown.isTriggered { exit(130) }
                onSignal(sig)
                shutdown.trigger()
            }
            source.resume()
            sources.append(source)
        }
    }
}
