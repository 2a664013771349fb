// JSON over fetch. An error answer rejects with the server's error object ({code, message}).

import type { HttpError, SessionRequest } from "../shared/protocol";

// The widget POSTs only one body: the session request.
export function fetchJSON<T>(url: string, body?: SessionRequest): Promise<T> {
  return fetch(url, body && { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).then(
    (response) => response.json().then((data) => (response.ok ? (data as T) : Promise.reject((data as HttpError).error))),
  );
}
