# Cellar backup server. Build context: the repository root.
#   fly deploy                       (fly.toml at the top names this file)
#   docker build -t cellar-server .

# ---- build: Maven on JDK 17 ------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The poms alone first: this layer downloads every plugin and dependency the package below needs and stays cached
# until a pom changes. It is a package over empty modules (empty jars, thrown away) rather than
# dependency:go-offline, which cannot resolve the modules' dependencies on each other and misses plugins that are
# only resolved when they run; the second mvn runs offline (-o), so anything this step missed fails the build.
COPY pom.xml ./
COPY backup-core/pom.xml backup-core/
COPY backup-server/pom.xml backup-server/
COPY backup-agent/pom.xml backup-agent/
COPY backup-bench/pom.xml backup-bench/
# (an empty template folder lets the admin page's template generator resolve and run before the sources exist)
RUN mkdir -p backup-server/src/main/jte && mvn -B -q -pl backup-server -am package -DskipTests && rm -rf backup-core/target backup-server/target
COPY backup-core/src backup-core/src
COPY backup-server/src backup-server/src
RUN mvn -B -q -o -pl backup-server -am package -DskipTests

# ---- runtime: JRE 17 -------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 cellar \
 && useradd --system --uid 10001 --gid cellar --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin cellar \
 && mkdir -p /app /data && chown cellar:cellar /data
COPY --from=build /src/backup-server/target/cellar-server.jar /app/cellar-server.jar
COPY docker/server-entrypoint.sh /app/entrypoint.sh

# Local state (the generated admin token and token secret and, without BUCKET_NAME, the snapshots themselves).
# With a bucket only restore drills write here: one temp copy of a database image per drill, removed after it.
ENV BACKUP_DATA_DIR=/data \
    PORT=8080 \
    JAVA_OPTS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"
# Heap: half of the machine. The other half is for what is not heap: each upload in progress holds zstd codec
# state off-heap (README, "Memory and limits"), plus metaspace, thread stacks and the code cache.
# ExitOnOutOfMemoryError: a server out of heap exits and the platform restarts it, instead of limping on.
EXPOSE 8080
# Starts as root only to hand a freshly mounted volume (root-owned) to the cellar user; the JVM runs as cellar.
ENTRYPOINT ["/app/entrypoint.sh"]
