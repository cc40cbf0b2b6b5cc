// node list-adapters.mjs <backend>  — what Dawn sees on one backend, as JSON lines.
// Separate process per backend, so a crash in one driver cannot hide the others.
const backend = process.argv[2] ?? 'vulkan';
const out = (o) => console.log(JSON.stringify({ backend, ...o }));
let dawn;
try { dawn = await import('webgpu'); } catch (e) { out({ error: `import webgpu: ${String(e.message).split('\n')[0]}` }); process.exit(0); }
Object.assign(globalThis, dawn.globals);
try {
  const gpu = dawn.create([`backend=${backend}`, 'adapter=\u0001list\u0001']);
  await gpu.requestAdapter({ featureLevel: 'compatibility' }).then(
    (a) => out({ list: a ? ['(resolved without a list)'] : [] }),
    (e) => out({ list: [...String(e.message).matchAll(/\* backend: '([^']*)', name: '([^']*)'/g)].map((m) => m[2]) }),
  );
} catch (e) { out({ listError: String(e.message).split('\n')[0] }); }
for (const featureLevel of ['core', 'compatibility']) {
  try {
    const gpu = dawn.create([`backend=${backend}`]);
    const t0 = performance.now();
    const a = await gpu.requestAdapter({ featureLevel, powerPreference: 'high-performance' });
    if (!a) { out({ featureLevel, adapter: null }); continue; }
    const i = a.info;
    const limits = {};
    for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage']) limits[k] = a.limits[k];
    const d = await a.requestDevice();
    out({ featureLevel, ms: Math.round(performance.now() - t0), vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter, subgroup: [i.subgroupMinSize, i.subgroupMaxSize], features: [...a.features], limits });
    d.destroy();
  } catch (e) { out({ featureLevel, error: String(e.message).split('\n')[0] }); }
}
