// The spreadsheet upload (wrapped in pages/file_upload.py): choose an xlsx or CSV file, send it as the request body
// to uploadUrl with a progress bar, and hand the server's token to onUploaded (the page then checks the file).
import React, { useState } from "react";

function send(url, file, onProgress) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.setRequestHeader("X-File-Name", encodeURIComponent(file.name || ""));
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((100 * event.loaded) / event.total));
    };
    request.onload = () => {
      let answer = {};
      try {
        answer = JSON.parse(request.responseText);
      } catch (_error) {
        // Not JSON (a proxy's error page): the status says enough.
      }
      resolve({ status: request.status, answer });
    };
    request.onerror = request.ontimeout = request.onabort = () => resolve({ status: 0, answer: {} });
    request.timeout = 300000;
    request.send(file);
  });
}

export function FileUpload({ uploadUrl, accept, label, onUploaded, id }) {
  const [state, setState] = useState({ status: "idle", progress: 0, message: "", name: "" });

  async function choose(event) {
    const file = (event.target.files || [])[0];
    event.target.value = ""; // the same file again fires change again
    if (!file) return;
    setState({ status: "uploading", progress: 0, message: "", name: file.name });
    const { status, answer } = await send(uploadUrl, file, (progress) =>
      setState((now) => ({ ...now, progress })));
    if (status >= 200 && status < 300 && answer.token) {
      setState({ status: "done", progress: 100, message: "", name: file.name });
      if (onUploaded) onUploaded(answer.token);
    } else {
      setState({ status: "failed", progress: 0, name: file.name,
                 message: answer.error || (status === 0 ? "上传失败，请检查网络后重试" : `上传失败（${status}）`) });
    }
  }

  return (
    <div id={id} className="file-upload">
      <label className="photo-capture-button file-upload-button">
        <input type="file" accept={accept} className="file-upload-input" onChange={choose} />
        {label}
      </label>
      {state.status === "idle" ? null : (
        <div className="file-upload-status">
          <span role="status">
            {state.name} {state.status === "uploading" ? `上传中 ${state.progress}%` : state.status === "done"
              ? "已上传" : state.message}
          </span>
          {state.status === "failed" ? null : (
            <progress max="100" value={state.progress} aria-label="上传进度" />
          )}
        </div>
      )}
    </div>
  );
}
