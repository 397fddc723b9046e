"""Emulator of the EU VIES VAT validation SOAP service (checkVatService).

Serves the WSDL (with its own address as the service location) and answers
``checkVat`` as the real service does, including the documented test numbers:
any country code with number ``100`` is valid, ``200`` invalid, and ``201``,
``202``, ``300``, ``301``, ``302``, ``400``, ``401``, ``500``, ``501``, ``600``,
``601`` answer with the corresponding SOAP fault (INVALID_INPUT,
MS_UNAVAILABLE, ...). Other numbers are valid when registered with
:meth:`ViesEmulator.register`.
"""

import xml.etree.ElementTree as ET
from datetime import date

from .base import Emulator, Response, main, route

WSDL_PATH = "/taxation_customs/vies/checkVatService.wsdl"
SERVICE_PATH = "/taxation_customs/vies/services/checkVatService"
TYPES_NS = "urn:ec.europa.eu:taxud:vies:services:checkVat:types"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"

TEST_FAULTS = {
    "201": "INVALID_INPUT",
    "202": "INVALID_REQUESTER_INFO",
    "300": "SERVICE_UNAVAILABLE",
    "301": "MS_UNAVAILABLE",
    "302": "TIMEOUT",
    "400": "VAT_BLOCKED",
    "401": "IP_BLOCKED",
    "500": "GLOBAL_MAX_CONCURRENT_REQ",
    "501": "GLOBAL_MAX_CONCURRENT_REQ_TIME",
    "600": "MS_MAX_CONCURRENT_REQ",
    "601": "MS_MAX_CONCURRENT_REQ_TIME",
}

WSDL = """<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:impl="urn:ec.europa.eu:taxud:vies:services:checkVat"
    xmlns:tns1="urn:ec.europa.eu:taxud:vies:services:checkVat:types"
    xmlns:wsdlsoap="http://schemas.xmlsoap.org/wsdl/soap/"
    targetNamespace="urn:ec.europa.eu:taxud:vies:services:checkVat">
  <wsdl:types>
    <xsd:schema attributeFormDefault="qualified" elementFormDefault="qualified"
        targetNamespace="urn:ec.europa.eu:taxud:vies:services:checkVat:types">
      <xsd:element name="checkVat">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element maxOccurs="1" minOccurs="1" name="countryCode" type="xsd:string"/>
            <xsd:element maxOccurs="1" minOccurs="1" name="vatNumber" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="checkVatResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element maxOccurs="1" minOccurs="1" name="countryCode" type="xsd:string"/>
            <xsd:element maxOccurs="1" minOccurs="1" name="vatNumber" type="xsd:string"/>
            <xsd:element maxOccurs="1" minOccurs="1" name="requestDate" type="xsd:date"/>
            <xsd:element maxOccurs="1" minOccurs="1" name="valid" type="xsd:boolean"/>
            <xsd:element maxOccurs="1" minOccurs="0" name="name" nillable="true" type="xsd:string"/>
            <xsd:element maxOccurs="1" minOccurs="0" name="address" nillable="true" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="checkVatRequest">
    <wsdl:part element="tns1:checkVat" name="parameters"/>
  </wsdl:message>
  <wsdl:message name="checkVatResponse">
    <wsdl:part element="tns1:checkVatResponse" name="parameters"/>
  </wsdl:message>
  <wsdl:portType name="checkVatPortType">
    <wsdl:operation name="checkVat">
      <wsdl:input message="impl:checkVatRequest" name="checkVatRequest"/>
      <wsdl:output message="impl:checkVatResponse" name="checkVatResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="checkVatBinding" type="impl:checkVatPortType">
    <wsdlsoap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="checkVat">
      <wsdlsoap:operation soapAction=""/>
      <wsdl:input name="checkVatRequest"><wsdlsoap:body use="literal"/></wsdl:input>
      <wsdl:output name="checkVatResponse"><wsdlsoap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="checkVatService">
    <wsdl:port binding="impl:checkVatBinding" name="checkVatPort">
      <wsdlsoap:address location="{location}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""


def _esc(text):
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ViesEmulator(Emulator):
    """EU VIES checkVat SOAP service"""

    name = "vies"

    def __init__(self):
        super().__init__()
        self.base_url = "http://127.0.0.1"
        self.registered = {}  # "FR12345678901" -> (name, address)

    def register(self, vat, name="---", address="---"):
        self.registered[vat.upper().replace(" ", "")] = (name, address)

    def seed_demo(self):
        """The business buyers of the other emulators' demo orders (scripts/demo.sh).

        Not the Dutch CCV buyer: a Dutch shop charges it Dutch VAT, which the German demo
        company books through OSS only when the id is not confirmed (no reverse charge).
        """
        for vat, name in (
            ("BE0123456749", "DEMO BELGIUM BV"),
            ("DE136695976", "DEMO GMBH"),
        ):
            self.register(vat, name)

    @route("GET", WSDL_PATH)
    def wsdl(self, request):
        host = request.headers.get("Host", "127.0.0.1")
        return Response(
            200,
            WSDL.format(location=f"http://{host}{SERVICE_PATH}").encode(),
            content_type="text/xml; charset=utf-8",
        )

    @route("POST", SERVICE_PATH)
    def check_vat(self, request):
        try:
            root = ET.fromstring(request.body)
        except ET.ParseError:
            return self._fault("INVALID_INPUT", "env:Client")
        node = root.find(f".//{{{TYPES_NS}}}checkVat")
        if node is None:
            return self._fault("INVALID_INPUT", "env:Client")
        country = (node.findtext(f"{{{TYPES_NS}}}countryCode") or "").strip().upper()
        number = (node.findtext(f"{{{TYPES_NS}}}vatNumber") or "").strip().upper().replace(" ", "")
        if len(country) != 2 or not number:
            return self._fault("INVALID_INPUT", "env:Client")
        if number in TEST_FAULTS:
            return self._fault(TEST_FAULTS[number])
        name, address = "---", "---"
        if number == "100":
            valid, name, address = True, "John Doe", "123 Main St, Anytown, UK"
        elif f"{country}{number}" in self.registered:
            valid = True
            name, address = self.registered[f"{country}{number}"]
        else:
            valid = False
        body = (
            f'<env:Envelope xmlns:env="{SOAP_NS}"><env:Header/><env:Body>'
            f'<ns2:checkVatResponse xmlns:ns2="{TYPES_NS}">'
            f"<ns2:countryCode>{_esc(country)}</ns2:countryCode>"
            f"<ns2:vatNumber>{_esc(number)}</ns2:vatNumber>"
            f"<ns2:requestDate>{date.today().isoformat()}+01:00</ns2:requestDate>"
            f"<ns2:valid>{'true' if valid else 'false'}</ns2:valid>"
            f"<ns2:name>{_esc(name)}</ns2:name><ns2:address>{_esc(address)}</ns2:address>"
            "</ns2:checkVatResponse></env:Body></env:Envelope>"
        )
        return Response(200, body.encode(), content_type="text/xml; charset=utf-8")

    def _fault(self, code, faultcode="env:Server"):
        body = (
            f'<env:Envelope xmlns:env="{SOAP_NS}"><env:Header/><env:Body><env:Fault>'
            f"<faultcode>{faultcode}</faultcode><faultstring>{code}</faultstring>"
            "</env:Fault></env:Body></env:Envelope>"
        )
        return Response(500, body.encode(), content_type="text/xml; charset=utf-8")


if __name__ == "__main__":
    main(ViesEmulator)
