"""A real S3-protocol server for the document storage tests: moto's server mode on a free local port, spoken
to over HTTP by boto3 exactly as the service speaks to AWS S3 or MinIO (HIA_S3_ENDPOINT_URL), with
credentials and region from the standard AWS_* variables. Nothing is patched in-process.

Use from a test module or conftest: `moto_server = object_store.moto_server` and so on."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

REGION = "eu-west-2"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """The server's address; AWS_* variables set for boto3 (fake credentials: moto accepts any)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "hia-test-key")
        env.setenv("AWS_SECRET_ACCESS_KEY", "hia-test-secret")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            env.delenv(name, raising=False)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@dataclass
class Bucket:
    """A fresh bucket on the server, and a client of the test's own to look inside it from outside."""

    endpoint: str
    name: str
    prefix: str
    client: Any

    @property
    def url(self) -> str:
        return f"s3://{self.name}/{self.prefix}"

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=f"{self.prefix}/{key}")["Body"].read()

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=f"{self.prefix}/{key}", Body=data)

    def remove(self, key: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=f"{self.prefix}/{key}")

    def object_keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))


def new_bucket(endpoint: str, prefix: str = "hia/pdfs") -> Bucket:
    import boto3

    client = boto3.session.Session().client("s3", endpoint_url=endpoint)
    name = f"hia-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return Bucket(endpoint, name, prefix, client)


@pytest.fixture
def bucket(moto_server: str) -> Bucket:
    return new_bucket(moto_server)


def use_bucket(app: Flask, bucket: Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point a running app's document storage at the bucket, built from settings as create_app builds it
    (undone at the end of the test)."""
    from hia_service.services.documents import storage

    settings = {"HIA_STORAGE_URL": bucket.url, "HIA_S3_ENDPOINT_URL": bucket.endpoint}
    monkeypatch.setitem(app.extensions, storage.EXTENSION, storage.storage_from_config(settings))


def use_unreachable_store(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Document storage at an address where nothing listens: every request is refused."""
    from hia_service.services.documents import storage

    settings = {
        "HIA_STORAGE_URL": "s3://hia-nowhere/pdfs",
        "HIA_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
    }
    monkeypatch.setitem(app.extensions, storage.EXTENSION, storage.storage_from_config(settings))
