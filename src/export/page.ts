// index.html of a browser export: loads the local tf.min.js and the generator, and draws a grid
// of fresh samples on a canvas, with a button for more and, for a conditional generator, a class
// picker. No external resource: the folder can be served as it is by any static file server.
// Browsers block fetch() from file://, so a page opened by double-click says what to run instead.
import { escapeHtml, htmlHead } from '../report/page-parts.js';

const PAGE_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 16px; color: #222; max-width: 760px; }
h1 { font-size: 20px; overflow-wrap: anywhere; }
#status { min-height: 1.45em; }
#status.error { color: #a00; }
code { background: #f2f2f2; padding: 1px 4px; overflow-wrap: anywhere; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; margin: 10px 0; }
button, select { font-size: 15px; padding: 6px 12px; }
.grid { display: flex; align-items: stretch; gap: 6px; }
.grid[hidden] { display: none; }
#rows { display: flex; flex-direction: column; justify-content: space-around; font-size: 12px; color: #555; }
canvas { image-rendering: pixelated; display: block; }
`;

export interface PageOptions {
  title: string;
  /** The command that serves this folder, shown when the page is opened from disk. */
  serveCommand: string;
}

export function exportPage({ title, serveCommand }: PageOptions): string {
  return `${htmlHead(title, PAGE_STYLE)}
<body>
<h1>${escapeHtml(title)}</h1>
<p id="status">loading the generator…</p>
<p id="fromDisk" hidden>This page loads its model over HTTP, which browsers refuse for a file opened from disk.
Serve this folder — run <code>${escapeHtml(serveCommand)}</code>, or any static file server in it
(e.g. <code>python3 -m http.server</code>) — and open the address it prints.</p>
<div class="controls">
  <button id="again" disabled>new samples</button>
  <label id="picker" hidden>class <select id="digit"></select></label>
</div>
<div class="grid" id="gridBox" hidden>
  <div id="rows" aria-hidden="true"></div><canvas id="grid" width="0" height="0"></canvas>
</div>
<script src="tf.min.js"></script>
<script>
(async () => {
  const status = document.getElementById('status');
  const say = (text, error = false) => { status.textContent = text; status.classList.toggle('error', error); };
  if (location.protocol === 'file:') {
    // fetch() of model.json is blocked from file://: say what to run instead of failing.
    status.hidden = true;
    document.getElementById('fromDisk').hidden = false;
    return;
  }
  const canvas = document.getElementById('grid');
  const gridBox = document.getElementById('gridBox');
  const rowLabels = document.getElementById('rows');
  const button = document.getElementById('again');
  const picker = document.getElementById('picker');
  const digit = document.getElementById('digit');
  try {
    const info = await (await fetch('generator.json')).json();
    const model = await tf.loadLayersModel('model.json');
    const { height, width, channels = 1 } = info.imageShape;
    const names = info.conditional
      ? (info.classNames || Array.from({ length: info.classes }, (_, c) => String(c)))
      : [];
    if (info.conditional) {
      digit.add(new Option('all, one per row', 'all'));
      names.forEach((name, c) => digit.add(new Option(name, String(c))));
      picker.hidden = false;
    }
    const cols = 8;
    const pad = 2;
    // Crisp pixels: the canvas is shown at a whole multiple of its size that fits the window.
    const fit = () => {
      const room = Math.min(document.body.clientWidth - rowLabels.offsetWidth - 6, 720);
      const factor = Math.max(1, Math.floor(room / canvas.width));
      canvas.style.width = canvas.width * factor + 'px';
      canvas.style.height = canvas.height * factor + 'px';
    };
    window.addEventListener('resize', fit);
    let draws = 0;
    let busy = false;
    const draw = async () => {
      if (busy) return;
      busy = true;
      button.disabled = true;
      digit.disabled = true;
      say('drawing…');
      const started = performance.now();
      try {
        // A conditional generator, "all": one class per row, as in the training grids and the report.
        const chosen = info.conditional && digit.value !== 'all' ? Number(digit.value) : undefined;
        const rows = info.conditional && chosen === undefined ? info.classes : 8;
        const n = rows * cols;
        const classOf = (i) => (chosen ?? Math.floor(i / cols));
        const classIds = Array.from({ length: n }, (_, i) => classOf(i));
        const images = tf.tidy(() => {
          const z = tf.randomNormal([n, info.latentDim]);
          const ids = tf.tensor1d(classIds, 'int32');
          const inputs = info.conditional ? [z, tf.oneHot(ids, info.classes).toFloat()] : z;
          // [-1, 1] (tanh) to levels 0..255, channels last (1 grey or 3 RGB)
          return model.predict(inputs).add(1).mul(127.5).clipByValue(0, 255);
        });
        const pixels = await images.data();
        images.dispose();
        canvas.width = cols * width + (cols + 1) * pad;
        canvas.height = rows * height + (rows + 1) * pad;
        const ctx = canvas.getContext('2d');
        const frame = ctx.createImageData(canvas.width, canvas.height);
        frame.data.fill(255);
        for (let i = 0; i < n; i++) {
          const x0 = pad + (i % cols) * (width + pad);
          const y0 = pad + Math.floor(i / cols) * (height + pad);
          for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
            const v = ((i * height + y) * width + x) * channels;
            const p = ((y0 + y) * canvas.width + x0 + x) * 4;
            for (let c = 0; c < 3; c++) frame.data[p + c] = pixels[v + (channels === 3 ? c : 0)];
          }
        }
        ctx.putImageData(frame, 0, 0);
        // The class each row was drawn for (what the generator was given): labels, and data for inspection.
        const rowClasses = info.conditional ? classIds.filter((_, i) => i % cols === 0) : [];
        const label = (c) => Object.assign(document.createElement('span'), { textContent: names[c] });
        rowLabels.replaceChildren(...rowClasses.map(label));
        canvas.dataset.classes = rowClasses.join(',');
        gridBox.hidden = false;
        fit();
        document.body.dataset.draws = String(++draws);
        const ms = Math.round(performance.now() - started);
        const what = info.conditional ? (chosen === undefined ? ', one class per row' : ', all ' + names[chosen]) : '';
        const engine = 'tfjs ' + tf.version.tfjs + ' on ' + tf.getBackend();
        say(n + ' samples from ' + info.source + what + ' in ' + ms + ' ms · ' + engine);
      } finally {
        busy = false;
        button.disabled = false;
        digit.disabled = false;
      }
    };
    const drawOrSay = () => draw().catch((e) => { say('error: ' + e.message, true); console.error(e); });
    button.addEventListener('click', drawOrSay);
    digit.addEventListener('change', drawOrSay);
    await drawOrSay();
  } catch (e) {
    say('error: ' + e.message, true);
    console.error(e);
  }
})();
</script>
</body>
</html>
`;
}
