// index.html of a browser export: loads the local tf.min.js, the generator, and draws a grid
// of fresh samples on a canvas, with a button for more. No external resource: the folder can
// be served as it is by any static file server (browsers block fetch() from file://).
import { escapeHtml, htmlHead } from '../report/page-parts.js';

const PAGE_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; }
canvas { width: 448px; image-rendering: pixelated; border: 1px solid #ccc; display: block; margin: 10px 0; }
button { font-size: 15px; padding: 6px 14px; }
`;

export function exportPage(title: string): string {
  return `${htmlHead(title, PAGE_STYLE)}
<body>
<h1>${escapeHtml(title)}</h1>
<p id="status">loading the generator…</p>
<canvas id="grid" width="0" height="0"></canvas>
<button id="again" disabled>new samples</button>
<script src="tf.min.js"></script>
<script>
(async () => {
  const status = document.getElementById('status');
  const canvas = document.getElementById('grid');
  const button = document.getElementById('again');
  try {
    const info = await (await fetch('generator.json')).json();
    const model = await tf.loadLayersModel('model.json');
    const { height, width, channels = 1 } = info.imageShape;
    // A conditional generator gets one class per column, like the training grids.
    const cols = info.conditional ? info.classes : 8;
    const n = cols * (info.conditional ? Math.min(info.classes, 8) : 8);
    const pad = 2;
    canvas.width = cols * width + (cols + 1) * pad;
    canvas.height = (n / cols) * height + (n / cols + 1) * pad;
    const ctx = canvas.getContext('2d');
    let draws = 0;
    const draw = async () => {
      const images = tf.tidy(() => {
        const z = tf.randomNormal([n, info.latentDim]);
        // The class goes in one-hot (generator.json: classInput), column i shows class i.
        const ids = tf.tensor1d(Array.from({ length: n }, (_, i) => i % cols), 'int32');
        const inputs = info.conditional ? [z, tf.oneHot(ids, info.classes).toFloat()] : z;
        // [-1, 1] (tanh) to levels 0..255, channels last (1 grey or 3 RGB)
        return model.predict(inputs).add(1).mul(127.5).clipByValue(0, 255);
      });
      const pixels = await images.data();
      images.dispose();
      const frame = ctx.createImageData(canvas.width, canvas.height);
      for (let i = 0; i < n; i++) {
        const x0 = pad + (i % cols) * (width + pad);
        const y0 = pad + Math.floor(i / cols) * (height + pad);
        for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
          const v = ((i * height + y) * width + x) * channels;
          const p = ((y0 + y) * canvas.width + x0 + x) * 4;
          for (let c = 0; c < 3; c++) frame.data[p + c] = pixels[v + (channels === 3 ? c : 0)];
        }
      }
      for (let p = 3; p < frame.data.length; p += 4) frame.data[p] = 255;
      ctx.putImageData(frame, 0, 0);
      document.body.dataset.draws = String(++draws);
    };
    button.addEventListener('click', () =>
      draw().catch((e) => { status.textContent = 'error: ' + e.message; console.error(e); }));
    await draw();
    button.disabled = false;
    const classes = info.conditional ? ', one class per column (' + (info.classNames || []).join(', ') + ')' : '';
    status.textContent = n + ' samples from ' + info.source + ' on tfjs ' + tf.version.tfjs +
      ' (' + tf.getBackend() + ')' + classes;
  } catch (e) {
    status.textContent = 'error: ' + e.message;
    console.error(e);
  }
})();
</script>
</body>
</html>
`;
}
