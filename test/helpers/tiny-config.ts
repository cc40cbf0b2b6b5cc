// The smallest run that exercises the whole CLI: an MLP GAN on 64 bundled digits, one epoch of
// two iterations on the cpu engine (deterministic), in seconds.
export const TINY_CONFIG = `
data: { source: bundled, limit: 64 }
model: { arch: mlp, latent_dim: 8, g_widths: [32], d_widths: [32] }
train: { epochs: 1, batch_size: 32 }
sample: { grid: 4 }
backend: cpu
`;
