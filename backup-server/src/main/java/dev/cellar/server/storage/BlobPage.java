package dev.cellar.server.storage;

import java.util.List;

/** One page of a listing; {@code truncated} when more keys follow the last entry. */
public record BlobPage(List<Entry> entries, boolean truncated) {
    public record Entry(String key, long size) {
    }
}
