// --timeout, per attempt: an undici interceptor that aborts an attempt still waiting for response
// headers after `headersTimeout` ms. undici's own headersTimeout ticks in ~1 s steps (a 200 ms
// timeout fires after ~1 s); this one is a native timer. Each attempt is a request of its own
// (retry.ts sends them), so each gets a fresh timer, which stops at the headers.
import { errors, type Dispatcher } from 'undici';

export function attemptTimeout(): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const ms = opts.headersTimeout;
    if (!ms) return dispatch(opts, handler);
    let timer: NodeJS.Timeout | undefined;
    const stop = () => clearTimeout(timer);
    return dispatch(opts, {
      onRequestStart(controller, context) {
        timer = setTimeout(() => controller.abort(new errors.HeadersTimeoutError()), ms);
        handler.onRequestStart?.(controller, context);
      },
      onRequestUpgrade(controller, statusCode, headers, socket) {
        stop();
        handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
      },
      onResponseStart(controller, statusCode, headers, statusMessage) {
        stop();
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData(controller, chunk) {
        handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd(controller, trailers) {
        stop();
        handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError(controller, err) {
        stop();
        handler.onResponseError?.(controller, err);
      },
    });
  };
}
