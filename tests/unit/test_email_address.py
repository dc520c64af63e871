import pytest

from hia_service.domain.email_address import is_email_address


@pytest.mark.parametrize(
    "address",
    ["name@nhs.net", "first.last@rxa.nhs.uk", "o'brien+hia@trust.nhs.uk", "A.Person@Example.ORG"],
)
def test_plain_addresses_are_accepted(address: str) -> None:
    assert is_email_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "", "name", "name@", "@nhs.net", "a@b@nhs.net", "a b@nhs.net", "a@nhs.net,b@nhs.net",
        "a@nhs.net\nBcc: b@nhs.net", "\"q\"@nhs.net", "(c)@nhs.net", "a@[10.0.0.1]", "a@localhost",
        "a..b@nhs.net", ".a@nhs.net", "a@-nhs.net", "a@nhs.n3t", "é@nhs.net", "a@nhs.net\x00",
        "x" * 65 + "@nhs.net", "a@" + "b" * 250 + ".net",
    ],
)  # fmt: skip
def test_anything_else_is_refused(address: str) -> None:
    assert not is_email_address(address)
