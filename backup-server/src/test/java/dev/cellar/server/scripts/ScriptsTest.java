package dev.cellar.server.scripts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cellar.server.scripts.ScriptRunner.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The operator scripts in scripts/, run with bash against a real server and a stand-in fly. */
class ScriptsTest extends ScriptTestBase {
    /** Every script with arguments it accepts; the first one is a tenant or machine name. */
    private static final Map<String, List<String>> SAMPLE_ARGS = Map.of(
            "backup-now.sh", List.of("m1", "--app", "cells"),
            "clone-and-restore.sh", List.of("m1", "--tenant", "acme", "--app", "cells"),
            "download-snapshot.sh", List.of("acme", "app"),
            "list-snapshots.sh", List.of("acme"),
            "provision-tenant.sh", List.of("acme", "--machine", "m1", "--app", "cells"));
    // ------------------------------------------------------------------------------------------ every script

    @Test
    void everyScriptHasHelp() {
        // demo.sh is the newcomer's walk-through, not an operator script: DemoScriptTest (backup-agent) runs it
        List<String> names = ScriptRunner.scripts().stream().map(p -> p.getFileName().toString())
                .filter(n -> !n.equals("demo.sh")).toList();
        assertEquals(SAMPLE_ARGS.keySet().stream().sorted().toList(), names, "a script without tests");
        for (String name : names) {
            Result r = scripts.env("CELLAR_URL", null).env("CELLAR_ADMIN_TOKEN", null).run(name, "--help");
            assertEquals(0, r.exit(), name + ": " + r);
            for (String section : List.of("Usage: " + name, "Options:", "Environment:", "Examples:", "Exit codes:")) {
                assertTrue(r.stdout().contains(section), name + " --help lacks " + section + ": " + r);
            }
        }
    }

    @Test
    void everyScriptRefusesAnUnknownOption() {
        for (String name : SAMPLE_ARGS.keySet()) {
            Result r = scripts.run(name, "acme", "--bogus");
            assertEquals(2, r.exit(), name + ": " + r);
            assertTrue(r.stderr().contains("unknown option '--bogus'") && r.stderr().contains("--help"), name + ": " + r);
        }
        assertTrue(scripts.flyCalls().isEmpty(), "a script ran fly: " + scripts.flyCalls());
    }

    @Test
    void argumentsAreCheckedBeforeAnythingIsAsked() {
        String[][] cases = {
                {"missing DATABASE", "download-snapshot.sh", "acme"},
                {"missing TENANT", "list-snapshots.sh"},
                {"unexpected argument 'extra'", "list-snapshots.sh", "acme", "app", "extra"},
                {"--all takes no value", "list-snapshots.sh", "acme", "app", "--all=yes"},
                {"--limit needs a value", "list-snapshots.sh", "acme", "app", "--limit"},
                {"--limit and --all need a DATABASE", "list-snapshots.sh", "acme", "--limit=5"},
                {"--at goes with latest", "download-snapshot.sh", "acme", "app", "20261121T093000123Z-1a2b3c4d",
                        "--at", "2026-11-21T09:30:00Z"},
                {"--timeout must be a whole number", "clone-and-restore.sh", "m1", "--timeout", "soon"}};
        for (String[] c : cases) {
            Result r = scripts.env("CELLAR_URL", "http://127.0.0.1:9").run(c[1],
                    java.util.Arrays.copyOfRange(c, 2, c.length));
            assertEquals(2, r.exit(), String.join(" ", c) + ": " + r);
            assertTrue(r.stderr().contains(c[0]), String.join(" ", c) + ": " + r);
        }
    }

    @Test
    void everyScriptRefusesAnInvalidName() {
        for (Map.Entry<String, List<String>> e : SAMPLE_ARGS.entrySet()) {
            List<String> args = new ArrayList<>(e.getValue());
            args.set(0, "../etc");
            Result r = scripts.run(e.getKey(), args.toArray(String[]::new));
            assertEquals(2, r.exit(), e.getKey() + ": " + r);
            assertTrue(r.stderr().matches("(?s).*invalid (tenant|machine) name '\\.\\./etc'.*"), e.getKey() + ": " + r);
        }
        assertTrue(scripts.flyCalls().isEmpty(), "a script ran fly: " + scripts.flyCalls());
    }

    @Test
    void scriptsThatTalkToTheServerNeedItsUrlAndAdminToken() {
        for (Map.Entry<String, List<String>> e : SAMPLE_ARGS.entrySet()) {
            if (e.getKey().equals("backup-now.sh")) {
                continue; // it talks to the machine only
            }
            String[] args = e.getValue().toArray(String[]::new);
            Result noToken = scripts.env("CELLAR_ADMIN_TOKEN", null).run(e.getKey(), args);
            assertEquals(2, noToken.exit(), e.getKey() + ": " + noToken);
            assertTrue(noToken.stderr().contains("CELLAR_ADMIN_TOKEN is not set"), e.getKey() + ": " + noToken);
            Result noUrl = scripts.env("CELLAR_URL", "").env("CELLAR_ADMIN_TOKEN", "x").run(e.getKey(), args);
            assertEquals(2, noUrl.exit(), e.getKey() + ": " + noUrl);
            assertTrue(noUrl.stderr().contains("CELLAR_URL is not set"), e.getKey() + ": " + noUrl);
            scripts.env("CELLAR_URL", server.baseUri().toString()).env("CELLAR_ADMIN_TOKEN", server.adminToken());
        }
        assertTrue(scripts.flyCalls().isEmpty(), "no script may run fly before it has what it needs");
    }

    @Test
    void aServerThatIsDownIsReportedAsUnreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Result r = scripts.env("CELLAR_URL", "http://127.0.0.1:" + port).run("list-snapshots.sh", "acme");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.stderr().contains("cannot reach the Cellar server at http://127.0.0.1:" + port), r.toString());
    }

    @Test
    void theServersErrorBecomesAClearMessage() {
        Result unknown = scripts.run("list-snapshots.sh", "nobody-" + newTenant());
        assertEquals(1, unknown.exit(), unknown.toString());
        assertTrue(unknown.stderr().contains("(HTTP 404 not_found)") && unknown.stderr().contains("no tenant"),
                unknown.toString());

        Result wrongToken = scripts.env("CELLAR_ADMIN_TOKEN", "not-the-admin-token").run("list-snapshots.sh", "acme");
        assertEquals(1, wrongToken.exit(), wrongToken.toString());
        assertTrue(wrongToken.stderr().contains("HTTP 401 unauthorized")
                && wrongToken.stderr().contains("check CELLAR_ADMIN_TOKEN"), wrongToken.toString());
        assertFalse(wrongToken.all().contains("not-the-admin-token"), wrongToken.toString());
    }

    @Test
    void everyScriptIsCleanUnderShellcheck() throws Exception {
        assumeTrue(onPath("shellcheck"), "shellcheck is not installed (apt-get install -y shellcheck); "
                + "the scripts were not checked");
        List<String> command = new ArrayList<>(List.of("shellcheck", "-x"));
        ScriptRunner.scripts().forEach(p -> command.add(p.toString()));
        command.add(ScriptRunner.scriptsDir().resolve("lib/cellar.sh").toString());
        Process p = new ProcessBuilder(command).directory(ScriptRunner.scriptsDir().getParent().toFile())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), output);
    }

    // ------------------------------------------------------------------------------------------ the library

    @Test
    void jsonFieldsAreReadWithoutJq() {
        String json = "{\"tenant\":\"acme\",\"lastHeartbeatAt\":null,\"n\":-12.5e3,\"ok\":true,"
                + "\"databases\":[{\"database\":\"app\",\"latest\":{\"version\":\"v2\",\"sizeBytes\":8192,"
                + "\"machineId\":null,\"message\":\"a \\\"quoted\\\" {brace}, [list]:\\tand\\\\ a\\nline\"}},"
                + "{\"database\":\"queue\",\"latest\":null}],\"machines\":[],\"next\":\"v1\"}";
        // a null is an empty value; a missing field prints nothing
        for (String[] pathAndOutput : new String[][] {{"tenant", "acme\n"}, {"lastHeartbeatAt", "\n"},
                {"n", "-12.5e3\n"}, {"ok", "true\n"}, {"next", "v1\n"}, {"databases.1.database", "queue\n"},
                {"missing", ""}, {"databases.0.latest.message", "a \"quoted\" {brace}, [list]: and\\ a line\n"}}) {
            Result r = scripts.library("cellar_json_get '" + pathAndOutput[0] + "'", json);
            assertEquals(pathAndOutput[1], r.stdout(), pathAndOutput[0] + ": " + r);
        }
        Result rows = scripts.library("cellar_json_rows databases database latest.version latest.machineId "
                + "latest.message", json);
        assertEquals("app\tv2\t-\ta \"quoted\" {brace}, [list]: and\\ a line\nqueue\t-\t-\t-\n", rows.stdout(),
                rows.toString());
        assertEquals("", scripts.library("cellar_json_rows machines machineId", json).stdout());
    }

    @Test
    void tablesAreAlignedAndSizesReadable() {
        Result r = scripts.library("cellar_human_bytes 2 | cellar_table",
                "NAME\tSIZE\tLAST\nx\t512\tend\nlonger-name\t1572864\t-\n");
        assertEquals("NAME         SIZE     LAST\n"
                + "x            512 B    end\n"
                + "longer-name  1.5 MiB  -\n", r.stdout(), r.toString());
    }

    @Test
    void flyctlOutputIsRedacted() {
        Result r = scripts.library("cellar_redact 'se.cr-et' ", "a se.cr-et and se.cr-etse.cr-et; sexcr-et\n");
        assertEquals("a *** and ******; sexcr-et\n", r.stdout(), r.toString());
    }

    // ------------------------------------------------------------------------------------------ provision

    @Test
    void provisioningAMachineSetsTenantAndAWorkingToken() throws Exception {
        String tenant = newTenant();
        Result r = scripts.run("provision-tenant.sh", tenant, "--machine", "3d8d9e1c2e4f68", "--app", "cells");
        assertEquals(0, r.exit(), r.toString());
        List<List<String>> calls = scripts.flyCalls();
        assertEquals(1, calls.size(), calls.toString());
        List<String> call = calls.get(0);
        assertEquals(List.of("machine", "update", "3d8d9e1c2e4f68", "--env", "BACKUP_TENANT=" + tenant, "--env"),
                call.subList(0, 6));
        assertTrue(call.get(6).startsWith("BACKUP_TOKEN="), call.toString());
        assertEquals(List.of("--yes", "-a", "cells"), call.subList(7, call.size()));
        String token = call.get(6).substring("BACKUP_TOKEN=".length());
        assertTokenWorksAndStaysHidden(tenant, token, r);
        assertTrue(r.stdout().contains("BACKUP_TOKEN=***"), "flyctl's output was not shown redacted: " + r);
    }

    @Test
    void provisioningAnAppSetsSecrets() throws Exception {
        String tenant = newTenant();
        Result r = scripts.run("provision-tenant.sh", tenant, "--app", tenant + "-cell");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of(List.of("secrets", "import", "-a", tenant + "-cell")), scripts.flyCalls(),
                "the token is on no command line");
        List<String> stdin = scripts.flyStdin();
        assertEquals(2, stdin.size(), stdin.toString());
        assertEquals("BACKUP_TENANT=" + tenant, stdin.get(0));
        assertTrue(stdin.get(1).startsWith("BACKUP_TOKEN="), stdin.toString());
        assertTokenWorksAndStaysHidden(tenant, stdin.get(1).substring("BACKUP_TOKEN=".length()), r);
    }

    @Test
    void provisioningNeedsAMachineOrAnAppAndReportsFlyctlFailing() {
        Result neither = scripts.run("provision-tenant.sh", newTenant());
        assertEquals(2, neither.exit(), neither.toString());
        assertTrue(neither.stderr().contains("--machine ID") && neither.stderr().contains("--app APP"),
                neither.toString());

        Result failing = scripts.env("FLY_STANDIN_EXIT", "1").run("provision-tenant.sh", newTenant(), "--app", "x");
        assertEquals(1, failing.exit(), failing.toString());
        assertTrue(failing.stderr().contains("flyctl failed"), failing.toString());
        String token = scripts.flyStdin().get(1).substring("BACKUP_TOKEN=".length());
        assertTrue(token.startsWith("cellar."), token);
        assertFalse(failing.all().contains(token), failing.toString());
    }

    private void assertTokenWorksAndStaysHidden(String tenant, String token, Result r) throws Exception {
        assertTrue(token.startsWith("cellar." + tenant + "."), token);
        assertFalse(r.all().contains(token), "the token was printed: " + r);
        api.upload(tenant, "app", token, null, work, 3, 1);
    }

    // ------------------------------------------------------------------------------------------ backup now

    @Test
    void backupNowRunsTheAgentOverSshAndExitsWithItsStatus() {
        Result ok = scripts.run("backup-now.sh", "3d8d9e1c2e4f68", "--app", "cells");
        assertEquals(0, ok.exit(), ok.toString());
        assertEquals(List.of(List.of("ssh", "console", "--machine", "3d8d9e1c2e4f68", "-C", "cellar-agent backup",
                "-a", "cells")), scripts.flyCalls());
        assertTrue(ok.stdout().contains("backup on machine 3d8d9e1c2e4f68: done"), ok.toString());

        Result failed = scripts.env("FLY_STANDIN_EXIT", "4").env("FLY_APP", "cells")
                .run("backup-now.sh", "3d8d9e1c2e4f68", "--database", "app");
        assertEquals(4, failed.exit(), failed.toString());
        assertEquals(List.of("ssh", "console", "--machine", "3d8d9e1c2e4f68", "-C",
                "cellar-agent backup --database app", "-a", "cells"), scripts.flyCalls().get(1));
        assertTrue(failed.stderr().contains("FAILED (exit status 4)")
                && failed.stderr().contains("could not reach the backup server"), failed.toString());
    }

    // ------------------------------------------------------------------------------------------ list

    @Test
    void listsDatabasesAndSnapshotsNewestFirst() throws Exception {
        String tenant = newTenant();
        String token = server.mintToken(tenant);
        List<String> versions = uploadVersions(tenant, "app", 3, token);
        api.upload(tenant, "queue", token, "m1", work, 5, 9);

        Result overview = scripts.run("list-snapshots.sh", tenant);
        assertEquals(0, overview.exit(), overview.toString());
        assertTrue(overview.stdout().contains("tenant " + tenant + ": status ok"), overview.toString());
        assertTrue(overview.stdout().lines().anyMatch(l -> l.startsWith("app ") && l.contains(versions.get(2))
                && l.contains("KiB") && l.endsWith("m1")), overview.toString());
        assertTrue(overview.stdout().lines().anyMatch(l -> l.startsWith("queue ")), overview.toString());

        Result all = scripts.run("list-snapshots.sh", tenant, "app");
        assertEquals(0, all.exit(), all.toString());
        List<String> lines = all.stdout().lines().toList();
        assertEquals(4, lines.size(), all.toString());
        assertTrue(lines.get(0).matches("VERSION {3,}CREATED {3,}SIZE {3,}MACHINE"), all.toString());
        for (int i = 1; i <= 3; i++) {
            assertTrue(lines.get(i).startsWith(versions.get(3 - i) + "  "), all.toString());
            assertEquals(lines.get(0).indexOf("MACHINE"), lines.get(i).indexOf("m1"), "not aligned: " + all);
        }

        Result limited = scripts.run("list-snapshots.sh", tenant, "app", "--limit", "2");
        assertEquals(3, limited.stdout().lines().count(), limited.toString());
        assertTrue(limited.stderr().contains("--all"), limited.toString());

        Result paged = scripts.run("list-snapshots.sh", tenant, "app", "--limit=1", "--all");
        assertEquals(all.stdout(), paged.stdout(), paged.toString());
    }

    // ------------------------------------------------------------------------------------------ download

    @Test
    void downloadsAByteIdenticalDatabaseAndNeverOverwritesUnasked() throws Exception {
        String tenant = newTenant();
        String token = server.mintToken(tenant);
        String v1 = api.upload(tenant, "app", token, "m1", work, 50, 1);
        Path first = work.resolve(tenant + "-app-1.sqlite3");
        Instant between = Instant.now();
        Thread.sleep(5);
        String v2 = api.upload(tenant, "app", token, "m1", work, 500, 2);
        Path second = work.resolve(tenant + "-app-2.sqlite3");

        Result latest = scripts.run("download-snapshot.sh", tenant, "app");
        assertEquals(0, latest.exit(), latest.toString());
        Path file = work.resolve(tenant + "-app-" + v2 + ".sqlite3");
        assertArrayEquals(Files.readAllBytes(second), Files.readAllBytes(file));
        assertTrue(latest.stdout().contains("SHA-256 verified"), latest.toString());

        Result again = scripts.run("download-snapshot.sh", tenant, "app", "latest");
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.stderr().contains("exists; --force overwrites it"), again.toString());

        Path out = work.resolve("out.sqlite3");
        Files.writeString(out, "precious");
        Result refused = scripts.run("download-snapshot.sh", tenant, "app", v1, "-o", out.toString());
        assertEquals(1, refused.exit(), refused.toString());
        assertEquals("precious", Files.readString(out));
        Result forced = scripts.run("download-snapshot.sh", tenant, "app", v1, "-o", out.toString(), "--force");
        assertEquals(0, forced.exit(), forced.toString());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(out));

        Path dir = Files.createDirectories(work.resolve("restores"));
        Result at = scripts.run("download-snapshot.sh", tenant, "app", "latest", "--at", between.toString(),
                "-o", dir.toString());
        assertEquals(0, at.exit(), at.toString());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(dir.resolve(tenant + "-app-" + v1 + ".sqlite3")));

        Result missing = scripts.run("download-snapshot.sh", tenant, "app", "latest", "--at", "2001-01-01T00:00:00Z",
                "-o", dir.resolve("none.sqlite3").toString());
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.stderr().contains("HTTP 404 not_found"), missing.toString());
        try (Stream<Path> left = Stream.concat(Files.list(work), Files.list(dir))) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().contains(".partial.")).toList(),
                    "a partial download was left behind");
        }
        assertFalse(Files.exists(dir.resolve("none.sqlite3")));
    }

    @Test
    void aDownloadThatDoesNotMatchItsSha256IsNotKept() {
        String tenant = newTenant();
        api.upload(tenant, "app", server.mintToken(tenant), "m1", work, 50, 1);
        scripts.standIn("sha256sum", "#!/usr/bin/env bash\necho \"" + "0".repeat(64) + "  $1\"\n");

        Result r = scripts.run("download-snapshot.sh", tenant, "app", "-o", "damaged.sqlite3");

        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("the download is damaged"), r.toString());
        assertFalse(Files.exists(work.resolve("damaged.sqlite3")));
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv("PATH").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
