import Foundation

/// The serving loop of a simulated device: a background thread that calls `step` (true when it
/// found a start to run) with `PollBackoff` pauses between idle polls, until `stop()`.
final class ServingThread: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var running: DispatchGroup?

    /// Runs `prepare` and starts the thread, both under the lock; does nothing if it is serving.
    func start(name: String, prepare: () -> Void, step: @escaping () -> Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard running == nil else { return }
        prepare()
        stopping = false
        let group = DispatchGroup()
        group.enter()
        running = group
        let thread = Thread { [self] in
            var backoff = PollBackoff(first: 20, maximum: 2000)
            while !isStopping {
                if step() { backoff.reset() } else { backoff.pause() }
            }
            group.leave()
        }
        thread.name = name
        thread.start()
    }

    /// Ends serving and waits for the thread (after the run in progress, if any).
    func stop() {
        lock.lock()
        stopping = true
        let group = running
        running = nil
        lock.unlock()
        group?.wait()
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }
}
