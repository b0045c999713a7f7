"""Writes test/image/preprocess-reference.json: the model input that Pillow computes.

The inputs are four photos and a synthetic gradient that test/image/preprocess.test.ts rebuilds.
Each goes through Pillow's `.convert('RGB')` and `resize((w, h), Image.BILINEAR)` with the
shortest side at 256, as torchvision `Resize(256)` sizes it. Then comes a centre crop of 224 with
Python `round`, scaling to [0, 1] and ImageNet normalisation, in NCHW order. The JSON stores
per-channel means and every 997th element. Run `npx prettier --write` on it afterwards.

Usage: FEATUREFOREST_DATA=/path/to/data python3 scripts/reference/preprocess_reference.py
"""

import json
import os
import sys

import PIL
from PIL import Image

PHOTOS = [
    'cats_dogs_kaggle/cat/cat.10.jpg',
    'cats_dogs_kaggle/dog/dog.1.jpg',
    'flowers_tf/daisy/102841525_bd6628ae3c.jpg',
    'flowers_tf/roses/11102341464_508d558dfc_n.jpg',
]
GRADIENT_SIZE = (300, 200)
STRIDE = 997
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def gradient() -> Image.Image:
    """Red rises left to right, green top to bottom, blue is a sawtooth with hard edges."""
    width, height = GRADIENT_SIZE
    image = Image.new('RGB', GRADIENT_SIZE)
    image.putdata(
        [
            (x * 255 // (width - 1), y * 255 // (height - 1), (x * 8 + y * 4) % 256)
            for y in range(height)
            for x in range(width)
        ]
    )
    return image


def model_input(image: Image.Image) -> list[float]:
    image = image.convert('RGB')
    width, height = image.size
    if width <= height:
        size = (256, int(256 * height / width))
    else:
        size = (int(256 * width / height), 256)
    resized = image.resize(size, Image.BILINEAR)
    left = int(round((size[0] - 224) / 2.0))
    top = int(round((size[1] - 224) / 2.0))
    crop = resized.crop((left, top, left + 224, top + 224))
    pixels = list(crop.getdata())
    return [
        (pixel[channel] / 255 - MEAN[channel]) / STD[channel]
        for channel in range(3)
        for pixel in pixels
    ]


def summary(name: str, image: Image.Image) -> dict:
    values = model_input(image)
    plane = 224 * 224
    means = [sum(values[c * plane : (c + 1) * plane]) / plane for c in range(3)]
    return {
        'name': name,
        'width': image.size[0],
        'height': image.size[1],
        'channelMeans': [round(v, 6) for v in means],
        'samples': [round(v, 6) for v in values[::STRIDE]],
    }


def main() -> None:
    data = os.environ.get('FEATUREFOREST_DATA')
    if not data:
        sys.exit('set FEATUREFOREST_DATA to the data folder')
    images = [summary(path, Image.open(os.path.join(data, path))) for path in PHOTOS]
    images.append(summary('gradient', gradient()))
    out = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'image', 'preprocess-reference.json')
    with open(out, 'w') as file:
        json.dump({'pillow': PIL.__version__, 'stride': STRIDE, 'images': images}, file, indent=1)
        file.write('\n')


if __name__ == '__main__':
    main()
