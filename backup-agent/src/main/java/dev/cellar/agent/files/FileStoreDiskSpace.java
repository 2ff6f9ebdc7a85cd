package dev.cellar.agent.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real figure: what the folder's {@link java.nio.file.FileStore} reports as usable by this process. */
public final class FileStoreDiskSpace implements DiskSpace {
    @Override
    public long usableBytes(Path folder) throws IOException {
        return Files.getFileStore(folder).getUsableSpace();
    }
}
