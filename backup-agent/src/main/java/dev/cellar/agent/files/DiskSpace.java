package dev.cellar.agent.files;

import java.io.IOException;
import java.nio.file.Path;

/** How many bytes can still be written to the file system holding a folder. */
public interface DiskSpace {
    long usableBytes(Path folder) throws IOException;
}
