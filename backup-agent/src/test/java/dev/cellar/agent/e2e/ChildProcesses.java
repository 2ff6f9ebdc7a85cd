package dev.cellar.agent.e2e;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Per test (register it on an instance field): the agents a test started: all killed after each test (with their apps), their output printed when it failed. */
final class ChildProcesses implements AfterEachCallback, TestWatcher {
    private final List<AgentProcess> started = new ArrayList<>();

    AgentProcess track(AgentProcess p) {
        started.add(p);
        return p;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(AgentProcess::kill);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        for (AgentProcess p : started) {
            System.out.println("===== output of " + p.name() + " =====");
            System.out.println(p.log());
        }
    }
}
