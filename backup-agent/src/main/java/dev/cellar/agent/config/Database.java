package dev.cellar.agent.config;

import java.nio.file.Path;

/** A database the agent looks after: its name on the server and its file on this machine. */
public record Database(String name, Path path) {
}
