package dev.cellar.server.auth;

/** Who is calling: the operator with the admin token, or one tenant's agent. */
public sealed interface Principal {
    record Admin() implements Principal {
    }

    record Tenant(String name) implements Principal {
    }

    default boolean isAdmin() {
        return this instanceof Admin;
    }
}
