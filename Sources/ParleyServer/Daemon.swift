public import ParleyConfiguration
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
public import ParleyLog
import ParleyProjections
public import ServiceLifecycle
public import UnixSignals

/// `parleyd` assembled: the log opened, the writer, the view service and the HTTP API, as the
/// services of one ``ServiceGroup`` that stops them in reverse order on SIGTERM/SIGINT: the
/// server stops accepting and answers its in-flight requests, the views finish their catch-up,
/// the writer commits what it was handed, and the log closes.
public final class Daemon: Sendable {
    /// The configuration it runs with.
    public let configuration: DaemonConfiguration
    /// The log of the data directory.
    public let log: EventLog
    /// The single writer every append goes through (the plugin host's `emit` too).
    public let ingest: EventIngest
    /// The view service.
    public let views: ViewService
    /// The metrics `/metrics` serves.
    public let metrics: DaemonMetrics
    let logger: Logger
    /// The plugin host, when `parleyd` links one.
    let plugins: PluginHosting?
    /// This daemon's hold on the data directory.
    private let ownership: DataDirectoryLock

    /// Opens the data directory of `configuration` (creating it) and prepares the services.
    ///
    /// - Parameter pluginHost: makes the plugin host once the writer exists: its service runs
    ///   between the views and the HTTP server, its webhook entry serves
    ///   `POST /v1/plugins/{name}/webhook`. Nil: that route answers 404 "no such plugin".
    /// - Throws: ``LogError`` when the data directory cannot be opened, ``DataDirectoryBusy`` when
    ///   another daemon serves it; what `pluginHost` throws.
    public init(
        configuration: DaemonConfiguration, logger: Logger, metrics: DaemonMetrics = DaemonMetrics(),
        pluginHost: PluginHostFactory? = nil
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        log = try EventLog(directory: configuration.data, create: true)
        ownership = try DataDirectoryLock(directory: configuration.data)
        ingest = try EventIngest(
            log: log, metrics: metrics, maxViewLag: configuration.limits.maxViewLag, maxViewWaitSeconds: configuration.limits.maxViewWaitSeconds,
            logger: logger)
        views = try ViewService(index: ViewIndex(log: log), ingest: ingest, metrics: metrics, limits: configuration.limits, logger: logger)
        plugins = try pluginHost?(PluginHostContext(plugins: configuration.plugins, ingest: ingest, logger: logger))
    }

    /// The router of the API.
    public func router() -> Router<ParleyRequestContext> {
        // HEAD answers wherever GET does, without the body.
        let router = Router(context: ParleyRequestContext.self, options: .autoGenerateHeadEndpoints)
        let limits = configuration.limits
        router.middlewares.add(RequestLog(metrics: metrics))
        let operations = OperationsRoutes(views: views, metrics: metrics, ingest: ingest, webhooks: plugins?.webhooks, limits: limits)
        operations.register(on: router)
        let authentication = TokenAuthentication(book: TokenBook(configuration.tokens))
        let api = router.group("v1").add(middleware: authentication)
        EventRoutes(ingest: ingest, limits: limits).register(on: api)
        EventStreamRoute(ingest: ingest, limits: limits, metrics: metrics, clients: StreamClientCount()).register(on: api)
        ViewRoutes(views: views, limits: limits).register(on: api)
        operations.registerWebhook(on: api)
        // Added after every route, these wrap only the fallback for requests no route takes:
        // without a token they get the 401 of every route but the health ones, with one a JSON
        // 404 or 405.
        router.middlewares.add(authentication)
        router.middlewares.add(UnmatchedRoutes(router.routes))
        return router
    }

    /// The HTTP application; `onListening` receives the bound address (port 0 picks one).
    public func application(onListening: @escaping @Sendable (ListenAddress) async -> Void = { _ in }) -> some ApplicationProtocol {
        let limits = configuration.limits
        let listen = configuration.listen
        let logger = self.logger
        return Application(
            router: router(),
            server: .http1(configuration: HTTP1Channel.Configuration(idleTimeout: .milliseconds(Int64(limits.readTimeoutSeconds * 1000)))),
            configuration: ApplicationConfiguration(
                address: .hostname(listen.host, port: listen.port), serverName: "parleyd",
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: logger)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                let bound = ListenAddress(host: listen.host, port: port)
                logger.info("parleyd listening", metadata: ["http.listen": "\(bound)"])
                await onListening(bound)
            },
            logger: logger)
    }

    /// The services in start order; graceful shutdown stops them last to first.
    public func services(onListening: @escaping @Sendable (ListenAddress) async -> Void = { _ in }) -> [any Service] {
        [WriterService(ingest: ingest, logger: logger), views] + (plugins?.service.map { [$0] } ?? []) + [application(onListening: onListening)]
    }

    /// Runs until SIGTERM or SIGINT (or `gracefulShutdownSignals`), then shuts down in order.
    public func run(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint], onListening: @escaping @Sendable (ListenAddress) async -> Void = { _ in }) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services(onListening: onListening).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
        try await group.run()
        logger.info("parleyd stopped", metadata: ["log.head": "\(ingest.head.position)"])
    }
}
