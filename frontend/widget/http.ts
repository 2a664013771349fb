// JSON over fetch. An error answer rejects with the server's error object ({code, message}).

export function fetchJSON<T>(url: string, body?: object): Promise<T> {
  return fetch(url, body && { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).then(
    (response) => response.json().then((data) => (response.ok ? data : Promise.reject(data.error))),
  );
}
