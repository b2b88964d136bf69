package pvkg;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.graphdb.config.Setting;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.Version;

/**
 * Embedded Neo4j Community DBMS with the Bolt connector on loopback, for local dev/tests.
 * Usage: Neo4jLauncher HOME_DIR PORT [SETTING=VALUE ...]   (env NEO4J_PASSWORD: password of user neo4j;
 * "" disables auth). Each SETTING=VALUE is a Neo4j setting as neo4j.conf spells it; it overrides the defaults below.
 * Prints "READY <uri> <version> auth=<bool>" on stdout once Bolt is accepting connections; shuts down cleanly on SIGTERM.
 */
public final class Neo4jLauncher {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Neo4jLauncher HOME_DIR PORT [SETTING=VALUE ...]");
            System.exit(2);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("neo4j-launcher: not SETTING=VALUE: " + args[i]);
                System.exit(2);
            }
            settings.put(args[i].substring(0, eq).trim(), args[i].substring(eq + 1).trim());
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = System.getenv().getOrDefault("NEO4J_PASSWORD", "");
        boolean auth = !password.isEmpty();

        long t0 = System.currentTimeMillis();
        DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home)   // data/ and logs/ live under HOME_DIR
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                    // Keep the footprint small: this is a test server, not production.
                    .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(256))
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                    .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(32))
                    // Netty's default 5s quiet period (x2 event loops) made every stop take ~10s.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(3))
                    // Settings given on the command line (scripts/neo4j-local) override the above.
                    .setConfig(parsed(settings))
                    .build();
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
            return;
        }
        long tBuilt = System.currentTimeMillis();
        // Registered right after build so SIGTERM/SIGINT always flush and close the store.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j-launcher: shutting down");
            dbms.shutdown();
            System.out.println("neo4j-launcher: shut down cleanly");
        }, "neo4j-shutdown"));

        try {
            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            if (auth) {
                // Embedded transactions run with full privileges, so we can (re)set the initial
                // password on every start; NEO4J_PASSWORD stays the single source of truth.
                try {
                    system.executeTransactionally(
                            "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
                } catch (QueryExecutionException e) {
                    // Restart with an unchanged password: Neo4j refuses a no-op change, which is fine.
                    if (!String.valueOf(e.getMessage()).contains("cannot be the same")) throw e;
                }
            }
            long tPw = System.currentTimeMillis();
            // Touch the default db so "ready" means queries will actually work.
            dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
            long tEnd = System.currentTimeMillis();
            settings.forEach((k, v) -> System.out.println("neo4j-launcher: setting " + k + "=" + v));
            System.out.printf("neo4j-launcher: dbms up %dms, password %dms, first query %dms%n",
                    tBuilt - t0, tPw - tBuilt, tEnd - tPw);
            System.out.println("READY bolt://127.0.0.1:" + port + " " + Version.getNeo4jVersion() + " auth=" + auth);
            System.out.flush();
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);   // runs the shutdown hook
        }
        new CountDownLatch(1).await();   // park until the JVM is told to exit
    }

    /** Settings as neo4j.conf spells them, parsed and validated by Neo4j (unknown names fail). */
    private static Map<Setting<?>, Object> parsed(Map<String, String> raw) {
        Config config = Config.newBuilder().setRaw(raw).build();
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        for (String name : raw.keySet()) {
            Setting<Object> setting = config.getSetting(name);
            values.put(setting, config.get(setting));
        }
        return values;
    }
}
