package pvkg;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.Version;

/**
 * Embedded Neo4j Community DBMS with the Bolt connector on loopback, for local dev/tests.
 * Usage: Neo4jLauncher HOME_DIR PORT   (env NEO4J_PASSWORD: password of user neo4j; "" disables auth)
 * Prints "READY <uri> <version> auth=<bool>" on stdout once Bolt is accepting connections; shuts down cleanly on SIGTERM.
 */
public final class Neo4jLauncher {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Neo4jLauncher HOME_DIR PORT");
            System.exit(2);
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
}
