/*
 * The in-app scanner, wrapped for Reflex by pages/scanner.py. Its child (the scan button) opens a full-screen sheet
 * with the rear camera; the first QR code, Code 128 or EAN-13 read fires onResult(text) and closes the sheet. The
 * camera is stopped (every track) on a result, on 取消 and when the sheet unmounts (the page is left). Without a
 * camera (refused, missing, or a page not on HTTPS) the sheet offers a photo of the code, decoded the same way.
 *
 * Decoding: the browser's BarcodeDetector when it reads all three formats, otherwise ZXing (zxing-wasm, zxing-cpp
 * compiled to WebAssembly), loaded only when a sheet opens so it stays out of the first page load.
 */
import { useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";

const FORMATS = ["qr_code", "code_128", "ean_13"];
const FRAME_EVERY_MS = 150;
const MAX_SIDE = 1280; // frames and photos are scaled down to this before decoding

async function barcodeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const supported = await window.BarcodeDetector.getSupportedFormats();
    if (!FORMATS.every((format) => supported.includes(format))) return null;
    const detector = new window.BarcodeDetector({ formats: FORMATS });
    return async (canvas) => (await detector.detect(canvas).catch(() => []))[0]?.rawValue || null;
  } catch {
    return null;
  }
}

async function zxingReader() {
  const [{ prepareZXingModule, readBarcodes }, { default: wasmUrl }] = await Promise.all([
    import("zxing-wasm/reader"),
    import("zxing-wasm/reader/zxing_reader.wasm?url"),
  ]);
  // The .wasm file is served from this site's build, never from the package's default CDN.
  await prepareZXingModule({
    overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasmUrl : prefix + path) },
    fireImmediately: true,
  });
  const options = { formats: ["QRCode", "Code128", "EAN13"], tryHarder: true, maxNumberOfSymbols: 1 };
  return async (canvas) => {
    const image = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const [found] = await readBarcodes(image, options);
    return found?.isValid ? found.text : null;
  };
}

let decoderPromise = null;
/** One decoder for the page: (canvas) => Promise<text | null>. A failed load (a dropped connection) is tried again
 * next time. */
function decoder() {
  decoderPromise ??= barcodeDetector()
    .then((detector) => detector ?? zxingReader())
    .catch((error) => {
      decoderPromise = null;
      throw error;
    });
  return decoderPromise;
}
const NOT_LOADED = "扫码功能没有加载成功，请检查网络后重试。";

/** Draw an image, video frame or bitmap of size (width, height) on the canvas, scaled down to MAX_SIDE. */
function draw(canvas, source, width, height) {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  canvas.getContext("2d", { willReadFrequently: true }).drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

function cameraProblem(error) {
  if (!navigator.mediaDevices?.getUserMedia) return "此页面无法打开摄像头（需要 HTTPS）。";
  if (error?.name === "NotAllowedError" || error?.name === "SecurityError") return "没有摄像头权限。";
  if (error?.name === "NotFoundError" || error?.name === "OverconstrainedError") return "没有找到摄像头。";
  return "摄像头无法打开。";
}

const styles = {
  sheet: {
    position: "fixed", inset: 0, zIndex: 2000, background: "#000", color: "#fff", display: "flex",
    flexDirection: "column", paddingBottom: "env(safe-area-inset-bottom)",
  },
  view: { position: "relative", flex: 1, overflow: "hidden" },
  video: { width: "100%", height: "100%", objectFit: "cover" },
  frame: {
    position: "absolute", top: "50%", left: "50%", width: "72vmin", height: "72vmin",
    transform: "translate(-50%, -50%)", border: "3px solid rgba(255,255,255,0.9)", borderRadius: "16px",
    boxShadow: "0 0 0 100vmax rgba(0,0,0,0.35)", pointerEvents: "none",
  },
  message: { padding: "16px", fontSize: "18px", lineHeight: 1.5, textAlign: "center", minHeight: "3em" },
  buttons: { display: "flex", gap: "12px", padding: "0 16px 16px" },
  button: {
    flex: 1, minHeight: "56px", fontSize: "20px", fontWeight: 600, borderRadius: "12px", border: "none",
    display: "flex", alignItems: "center", justifyContent: "center", cursor: "pointer",
  },
};

function ScanSheet({ onResult, onCancel }) {
  const video = useRef(null);
  const canvas = useRef(null);
  const done = useRef(false); // a result was given: no second one
  const stopCamera = useRef(() => {});
  const [message, setMessage] = useState("正在打开摄像头……");
  const [cameraOn, setCameraOn] = useState(false);

  const finish = (text) => {
    if (done.current) return;
    done.current = true;
    stopCamera.current();
    onResult(text);
  };

  useEffect(() => {
    let closed = false;
    let stream = null;
    let timer = null;
    const stop = () => {
      stream?.getTracks().forEach((track) => track.stop());
      stream = null;
    };
    stopCamera.current = stop;
    done.current = false;

    const scanFrame = async () => {
      const v = video.current;
      if (closed || done.current || !v) return;
      if (v.readyState >= 2 && v.videoWidth) {
        let decode;
        try {
          decode = await decoder();
        } catch {
          return setMessage(NOT_LOADED);
        }
        const text = await decode(draw(canvas.current, v, v.videoWidth, v.videoHeight));
        if (text && !closed) return finish(text);
      }
      timer = setTimeout(scanFrame, FRAME_EVERY_MS);
    };

    decoder().catch(() => {}); // start loading the decoder while the camera opens
    (navigator.mediaDevices?.getUserMedia
      ? navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      : Promise.reject(new Error("no camera API"))
    ).then(
      (opened) => {
        if (closed || done.current) return opened.getTracks().forEach((track) => track.stop()); // closed meanwhile
        stream = opened;
        video.current.srcObject = opened;
        video.current.play().catch(() => {});
        setCameraOn(true);
        setMessage("将二维码或条码对准框内");
        scanFrame();
      },
      (error) => !closed && setMessage(`${cameraProblem(error)}请拍照或选择图片识别。`),
    );
    window.addEventListener("pagehide", stop);
    return () => {
      closed = true;
      clearTimeout(timer);
      window.removeEventListener("pagehide", stop);
      stop();
    };
  }, []);

  const readPhoto = async (event) => {
    const file = event.target.files?.[0];
    event.target.value = ""; // the same photo can be chosen again
    if (!file) return;
    setMessage("正在识别……");
    let decode;
    try {
      decode = await decoder();
    } catch {
      return setMessage(NOT_LOADED);
    }
    try {
      const bitmap = await createImageBitmap(file);
      const text = await decode(draw(canvas.current, bitmap, bitmap.width, bitmap.height));
      bitmap.close();
      if (text) return finish(text);
      setMessage("没有识别到二维码或条码，请靠近一些、对准后重拍。");
    } catch {
      setMessage("这张图片无法读取，请重拍。");
    }
  };

  return createPortal(
    <div style={styles.sheet} role="dialog" aria-modal="true" aria-label="扫码" id="scanner-sheet">
      <div style={styles.view}>
        <video ref={video} style={{ ...styles.video, display: cameraOn ? "block" : "none" }} playsInline muted />
        {cameraOn && <div style={styles.frame} />}
      </div>
      <canvas ref={canvas} hidden />
      <div style={styles.message} role="status" id="scanner-message">{message}</div>
      <div style={styles.buttons}>
        <label style={{ ...styles.button, background: "#1d4ed8", color: "#fff" }}>
          拍照识别
          <input id="scanner-photo" type="file" accept="image/*" capture="environment" hidden onChange={readPhoto} />
        </label>
        <button type="button" style={{ ...styles.button, background: "#fff", color: "#111" }} onClick={onCancel}>
          取消
        </button>
      </div>
    </div>,
    document.body,
  );
}

/** Wraps its child (the scan button): a tap on it opens the sheet; onResult gets the decoded text. */
export function Scanner({ onResult, children }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <span style={{ display: "contents" }} onClick={() => setOpen(true)}>{children}</span>
      {open && (
        <ScanSheet
          onCancel={() => setOpen(false)}
          onResult={(text) => {
            setOpen(false);
            onResult?.(text);
          }}
        />
      )}
    </>
  );
}
