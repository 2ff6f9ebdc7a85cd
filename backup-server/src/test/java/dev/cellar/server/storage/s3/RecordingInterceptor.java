package dev.cellar.server.storage.s3;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Records which S3 operations a store calls, and fails the ones a test chooses. */
final class RecordingInterceptor implements ExecutionInterceptor {
    private final List<String> operations = new CopyOnWriteArrayList<>();
    private volatile Predicate<SdkRequest> failWhen = r -> false;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String operation = context.request().getClass().getSimpleName().replaceFirst("Request$", "");
        if (failWhen.test(context.request())) {
            throw SdkClientException.create("injected failure in " + operation);
        }
        operations.add(operation);
    }

    /** Operations called so far, in order, e.g. "PutObject". Failed ones are left out. */
    List<String> operations() {
        return List.copyOf(operations);
    }

    void failWhen(Predicate<SdkRequest> condition) {
        failWhen = condition;
    }

    void clear() {
        operations.clear();
    }
}
