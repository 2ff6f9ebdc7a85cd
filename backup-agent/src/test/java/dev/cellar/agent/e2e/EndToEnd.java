package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.agent.testing.Admin;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What the end-to-end tests share: one server per class, the operator's admin access, machines in a temp dir. */
abstract class EndToEnd {
    static TestServer server;
    static Admin admin;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @TempDir
    Path root;

    @BeforeAll
    static void startServer() throws IOException {
        server = Servers.start();
        admin = new Admin(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** Machine {@code id} of {@code tenant}, configured as Fly would (the tenant's token as a secret). */
    Machine machine(String id, String tenant) {
        return machine(id, tenant, server.baseUri());
    }

    /** Machine {@code id} of {@code tenant} whose agent reaches the server at {@code via} (a fault proxy, say). */
    Machine machine(String id, String tenant, URI via) {
        return new Machine(id, root, via, tenant, server.mintToken(tenant));
    }

    /** A running agent whose app has written 5 rows, backed up as the returned version, then 7 rows more. */
    record Running(AgentProcess agent, String fiveRows) {
    }

    Running runWithFiveRowsBackedUpThenTwelve(Machine m, String tenant) throws Exception {
        AgentProcess agent = children.track(m.start("0", 5, 0));
        Poll.until("the app on " + m.id() + " to write 5 rows", () -> m.seen().contains("5"), agent::log);
        assertEquals(0, m.cli("backup").status());
        String v1 = admin.versions(tenant, "app").get(0);
        TestDatabases.addRows(m.db(), 7, 2);
        Poll.until("the app on " + m.id() + " to see 12 rows", () -> m.seen().contains("12"), agent::log);
        return new Running(agent, v1);
    }
}
