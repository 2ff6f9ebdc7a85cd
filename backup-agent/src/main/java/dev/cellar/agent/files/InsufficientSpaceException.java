package dev.cellar.agent.files;

import java.io.IOException;
import java.nio.file.Path;

/** Writing on would leave less than the configured free space on the volume. */
public class InsufficientSpaceException extends IOException {
    public InsufficientSpaceException(String what, Path folder, long needed, long usable, long minFree) {
        super("not enough free space for " + what + " in " + folder + ": needs " + needed + " bytes and keeps "
                + minFree + " free, but only " + usable + " are usable");
    }
}
