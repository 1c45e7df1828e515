// The photo control (wrapped in pages/photo_capture.py): take shots with the rear camera or choose them from the
// gallery, shrink each on the device, upload each with its own progress bar, and resend a failed one with 重试.
import React, { useEffect, useRef, useState } from "react";

const MAX_SIDE = 1600;
const JPEG_QUALITY = 0.85;

// crypto.randomUUID needs a secure context; workshop phones often reach the app over plain http on the LAN.
function shotKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function decoded(file) {
  if (window.createImageBitmap) {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (_error) {
      // Fall through to <img>, which also turns the picture upright (CSS image-orientation: from-image).
    }
  }
  const image = new Image();
  image.src = URL.createObjectURL(file);
  try {
    await image.decode();
  } catch (error) {
    URL.revokeObjectURL(image.src);
    throw error;
  }
  return image;
}

// An upright JPEG whose longest side is at most MAX_SIDE, without the original's metadata (GPS included);
// the file as it is when the browser cannot decode it (e.g. HEIC on a desktop): the server then decides.
async function shrunk(file) {
  let source;
  try {
    source = await decoded(file);
  } catch (_error) {
    return file;
  }
  const width = source.naturalWidth || source.width;
  const height = source.naturalHeight || source.height;
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  if (source.close) source.close();
  else URL.revokeObjectURL(source.src);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
  return blob || file;
}

// POST the image as the request body; resolves with the HTTP status (0: no answer) and the JSON answer.
function send(url, key, blob, onProgress) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("X-Photo-Key", key);
    request.setRequestHeader("Content-Type", blob.type || "application/octet-stream");
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
    request.timeout = 120000;
    request.send(blob);
  });
}

const STATUS = {
  shrinking: "正在压缩…",
  uploading: "上传中",
  done: "已上传",
  failed: "上传失败，请检查网络后重试",
};

export function PhotoCapture({ uploadUrl, prompt, onUploaded, id }) {
  const [shots, setShots] = useState([]);
  const blobs = useRef(new Map());
  const previews = useRef([]);
  useEffect(() => () => previews.current.forEach((url) => URL.revokeObjectURL(url)), []);

  const update = (key, change) =>
    setShots((list) => list.map((shot) => (shot.key === key ? { ...shot, ...change } : shot)));

  async function upload(key, url) {
    update(key, { status: "uploading", progress: 0, message: "" });
    const { status, answer } = await send(url, key, blobs.current.get(key), (progress) => update(key, { progress }));
    if (status >= 200 && status < 300) {
      blobs.current.delete(key);
      update(key, { status: "done", progress: 100 });
      if (onUploaded) onUploaded(answer.id);
    } else if (status === 0 || status === 401 || status >= 500) {
      // Worth sending again (after the Wi-Fi is back, or after signing in again): keep the shrunk photo.
      update(key, { status: "failed", message: status === 401 ? answer.error : "" });
    } else {
      blobs.current.delete(key);
      update(key, { status: "refused", message: answer.error || `上传失败（${status}）` });
    }
  }

  async function add(event) {
    const files = Array.from(event.target.files || []);
    event.target.value = ""; // the next shot, or the same file again, fires change again
    for (const file of files) {
      const key = shotKey();
      const url = uploadUrl;
      setShots((list) => [...list, { key, url, status: "shrinking", progress: null, message: "" }]);
      const blob = await shrunk(file);
      blobs.current.set(key, blob);
      const preview = URL.createObjectURL(blob);
      previews.current.push(preview);
      update(key, { preview });
      await upload(key, url); // one at a time: a weak connection serves one upload better than several
    }
  }

  return (
    <div id={id} className="photo-capture">
      <div className="photo-capture-buttons">
        <label className="photo-capture-button photo-capture-camera">
          <input type="file" accept="image/*" capture="environment" className="photo-camera-input" onChange={add} />
          拍照
        </label>
        <label className="photo-capture-button">
          <input type="file" accept="image/*" multiple className="photo-library-input" onChange={add} />
          从相册选择
        </label>
      </div>
      {prompt ? <p className="photo-capture-prompt">{prompt}</p> : null}
      <ul className="photo-capture-list">
        {shots.map((shot, index) => (
          <li key={shot.key} className={`photo-shot photo-shot-${shot.status}`}>
            {shot.preview ? <img src={shot.preview} alt={`照片${index + 1}`} /> : null}
            <div className="photo-shot-body">
              <span className="photo-shot-status" role="status">
                {shot.message || STATUS[shot.status]}
                {shot.status === "uploading" && shot.progress !== null ? ` ${shot.progress}%` : ""}
              </span>
              {shot.status === "refused" ? null : (
                <progress max="100" value={shot.progress ?? undefined} aria-label={`照片${index + 1}上传进度`} />
              )}
            </div>
            {shot.status === "failed" ? (
              <button type="button" className="photo-shot-retry" onClick={() => upload(shot.key, shot.url)}>
                重试
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
