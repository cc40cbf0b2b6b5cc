"""A plain PyTorch CPU port of the semi-supervised GAN iteration of configs/ssgan.yaml (improved-gan's
train_mnist_feature_matching.py as src/ssgan/model.ts and src/ssgan/trainer.ts build it),
for speed comparisons only: same networks, noise, weight norm, losses, batches (100 labelled with a
random affine move + 100 unlabelled + 100 generated), the consistency term (a second noisy pass of D
over the unlabelled batch, ssgan.consistency), Adam, and both moving averages.

    python3 bench/ssgan-torch.py --iters 60 --warmup 10 [--threads 2] [--consistency 10]
                                 [--images train-images-idx3-ubyte.gz]

Prints `RESULT {"itPerSec": …}` last. Without --images it trains on uniform noise images (speed only).
"""
import argparse
import gzip
import json
import math
import time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--iters', type=int, default=60)
p.add_argument('--warmup', type=int, default=10)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--images', default='')
p.add_argument('--consistency', type=float, default=10, help="ssgan.consistency's weight (0: no second pass)")
p.add_argument('--matmul', action='store_true', help="only time D's first-layer product (300×784 by 784×1000)")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)

if args.matmul:
    a, b = torch.randn(300, 784), torch.randn(784, 1000)
    for _ in range(3):
        a @ b
    start = time.perf_counter()
    for _ in range(20):
        a @ b
    seconds = (time.perf_counter() - start) / 20
    print(f'300×784 · 784×1000: {seconds * 1e3:.2f} ms, {2 * 300 * 784 * 1000 / seconds / 1e9:.1f} GFLOP/s ({args.threads} threads)')
    raise SystemExit(0)

BATCH, LABELS, LATENT = 100, 100, 100


def load(path):
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], 'big')
    return torch.frombuffer(bytearray(raw[16:16 + n * 784]), dtype=torch.uint8).float().view(n, 784) / 127.5 - 1


images = load(args.images) if args.images else torch.rand(8000, 784) * 2 - 1
labelled = images[:LABELS].view(LABELS, 1, 28, 28)
onehot_labels = torch.arange(LABELS) % 10


class WNDense(torch.nn.Module):
    """y = (x·v) ⊙ g/‖v‖ + b; g trains only where train_scale (improved-gan's hidden layers keep theirs)."""

    def __init__(self, n_in, n_out, train_scale, std=0.1):
        super().__init__()
        self.v = torch.nn.Parameter(torch.randn(n_in, n_out) * std)
        self.g = torch.nn.Parameter(torch.ones(n_out), requires_grad=train_scale)
        self.b = torch.nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return (x @ self.v) * (self.g / torch.sqrt((self.v * self.v).sum(0) + 1e-12)) + self.b


class D(torch.nn.Module):
    def __init__(self):
        super().__init__()
        widths = [784, 1000, 500, 250, 250, 250, 10]
        self.layers = torch.nn.ModuleList(
            WNDense(a, b, train_scale=(i == len(widths) - 2)) for i, (a, b) in enumerate(zip(widths, widths[1:])))

    def forward(self, x):
        h = x * 0.5 + 0.5
        features = h
        for i, layer in enumerate(self.layers):
            h = h + torch.randn_like(h) * (0.3 if i == 0 else 0.5)
            h = layer(h)
            if i < len(self.layers) - 1:
                h = F.relu(h)
                features = h
        return h, features


class G(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(LATENT, 500, bias=False)
        self.bn1 = torch.nn.BatchNorm1d(500, eps=1e-6, affine=False)
        self.b1 = torch.nn.Parameter(torch.zeros(500))
        self.fc2 = torch.nn.Linear(500, 500, bias=False)
        self.bn2 = torch.nn.BatchNorm1d(500, eps=1e-6, affine=False)
        self.b2 = torch.nn.Parameter(torch.zeros(500))
        self.out = WNDense(500, 784, train_scale=True, std=0.05)

    def forward(self, z):
        h = F.softplus(self.bn1(self.fc1(z)) + self.b1)
        h = F.softplus(self.bn2(self.fc2(h)) + self.b2)
        return F.softplus(self.out(h)) * 2 - 1


d, g = D(), G()
d_avg, g_avg = D(), G()
d_avg.load_state_dict(d.state_dict())
g_avg.load_state_dict(g.state_dict())
opt_d = torch.optim.Adam([p for p in d.parameters() if p.requires_grad], lr=0.003, betas=(0.5, 0.999))
opt_g = torch.optim.Adam([p for p in g.parameters() if p.requires_grad], lr=0.003, betas=(0.5, 0.999))


def moved(x):
    """Each image rotated ±15°, scaled ±10%, shifted ±2 px at random (bilinear), as ssgan.labelled_* ask."""
    n = x.shape[0]
    angle = (torch.rand(n) * 2 - 1) * math.radians(15)
    scale = 1 + (torch.rand(n) * 2 - 1) * 0.1
    shift = torch.randint(-2, 3, (n, 2)).float() * (2 / 28)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1, grid, align_corners=False) - 1


def average(avg, net, decay):
    with torch.no_grad():
        for a, p in zip(avg.state_dict().values(), net.state_dict().values()):
            if a.is_floating_point():
                a.mul_(decay).add_(p, alpha=1 - decay)


def iteration(t):
    rows = torch.randint(0, LABELS, (BATCH,))
    lab = moved(labelled[rows]).view(BATCH, 784)
    unl = images[torch.randint(0, images.shape[0], (BATCH,))]
    fake = g(torch.randn(BATCH, LATENT))
    logits, _ = d(torch.cat([lab, unl, fake.detach()]))
    l_lab, l_unl, l_fake = logits.split(BATCH)
    loss_lab = F.cross_entropy(l_lab, onehot_labels[rows])
    z_unl, z_fake = torch.logsumexp(l_unl, 1), torch.logsumexp(l_fake, 1)
    loss_unl = 0.5 * (F.softplus(z_unl).mean() - z_unl.mean() + F.softplus(z_fake).mean())
    loss_d = loss_lab + loss_unl
    if args.consistency > 0:
        # Ramped up over 2,000 D updates, as src/ssgan/trainer.ts does.
        ramp = math.exp(-5 * (1 - min(1, (t + 1) / 2000)) ** 2)
        again, _ = d(unl)
        loss_d = loss_d + args.consistency * ramp * ((F.softmax(l_unl, 1) - F.softmax(again, 1)) ** 2).mean()
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    decay = min(0.999, (1 + t) / (10 + t))
    average(d_avg, d, decay)
    with torch.no_grad():
        _, real_features = d(images[torch.randint(0, images.shape[0], (BATCH,))])
    # D fixed: no gradients for its weights in G's step (tfjs computes none either).
    for p in d.parameters():
        p.requires_grad_(False)
    _, fake_features = d(g(torch.randn(BATCH, LATENT)))
    loss_g = ((fake_features.mean(0) - real_features.mean(0)) ** 2).mean()
    opt_g.zero_grad()
    loss_g.backward()
    for layer in d.layers:
        layer.v.requires_grad_(True)
        layer.b.requires_grad_(True)
    d.layers[-1].g.requires_grad_(True)
    opt_g.step()
    average(g_avg, g, decay)
    return loss_lab.item() + loss_unl.item() + loss_g.item()


for t in range(args.warmup):
    iteration(t)
start = time.perf_counter()
for t in range(args.iters):
    iteration(args.warmup + t)
seconds = time.perf_counter() - start
print(f'{args.iters / seconds:.2f} it/s ({args.iters} iterations, PyTorch {torch.__version__}, {args.threads} threads)')
print('RESULT ' + json.dumps({'engine': f'pytorch×{args.threads}', 'iters': args.iters, 'itPerSec': args.iters / seconds}))
