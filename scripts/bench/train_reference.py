#!/usr/bin/python3
"""PyTorch reference for `pnpm bench:train`: the same U-Net, batch and loss as the bench trains
with packages/model/src/unet.ts (buildUNet: conv-bn-relu x2 per level, max-pool, bilinear
up-sampling, skip concat, 1x1 sigmoid), trained on random data with a fixed thread count.

Usage: /usr/bin/python3 train_reference.py --size 128 --batch 8 --steps 6 --threads 2
Prints one JSON line: images/s (wall clock) and images per CPU-second (all threads).
"""
import argparse
import json
import time

import torch
from torch import nn


def conv_block(cin: int, cout: int) -> nn.Sequential:
    layers = []
    for i in range(2):
        layers += [nn.Conv2d(cin if i == 0 else cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(*layers)


class ReferenceUnet(nn.Module):
    def __init__(self, base: int = 16, levels: int = 3, in_channels: int = 3):
        super().__init__()
        self.down = nn.ModuleList()
        cin = in_channels
        for level in range(levels):
            self.down.append(conv_block(cin, base << level))
            cin = base << level
        self.pool = nn.MaxPool2d(2)
        self.bottom = conv_block(cin, base << levels)
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.decode = nn.ModuleList()
        for level in reversed(range(levels)):
            self.decode.append(conv_block((base << (level + 1)) + (base << level), base << level))
        self.head = nn.Conv2d(base, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottom(x)
        for decode, skip in zip(self.decode, reversed(skips)):
            x = decode(torch.cat([self.up(x), skip], dim=1))
        return torch.sigmoid(self.head(x))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--base", type=int, default=16)
    parser.add_argument("--levels", type=int, default=3)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = ReferenceUnet(args.base, args.levels)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    x = torch.rand(args.batch, 3, args.size, args.size)
    y = (torch.rand(args.batch, 1, args.size, args.size) < 0.05).float()

    def step() -> float:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return float(loss)

    for _ in range(args.warmup):
        step()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    images = args.steps * args.batch
    print(json.dumps({
        "images_per_s": images / wall,
        "images_per_cpu_s": images / cpu,
        "threads": args.threads,
        "torch": torch.__version__,
        "params": sum(p.numel() for p in model.parameters() if p.requires_grad),
    }))


if __name__ == "__main__":
    main()
