package io.mamori.console.api;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * The REST API's answer to a request Spring refuses before a controller runs (a path or query value of the wrong
 * type, a body that is not JSON, a missing parameter): 400 with the body every controller gives,
 * {@code {"error": "invalid", "message": "<ja> / <en>"}}, instead of Spring's default error body without a message.
 * The value itself is not echoed (it may be anything).
 */
@RestControllerAdvice(annotations = RestController.class)
class ApiErrors {

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Map<String, String>> wrongType(MethodArgumentTypeMismatchException e) {
        String type = e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName();
        return invalid(e.getName() + " の値が正しくありません(" + type + ")", e.getName() + " is not a valid " + type);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, String>> unreadable(HttpMessageNotReadableException e) {
        return invalid("リクエスト本文の JSON を読めません", "the request body is not valid JSON of the expected form");
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Map<String, String>> missing(MissingServletRequestParameterException e) {
        return invalid("パラメーター " + e.getParameterName() + " が必要です", "parameter " + e.getParameterName() + " is required");
    }

    private static ResponseEntity<Map<String, String>> invalid(String ja, String en) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", "invalid", "message", ja + " / " + en));
    }
}
